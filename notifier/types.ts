// What the notifier works with: its configuration (written at synth time into the Lambda's zip as
// config.json) and one normalized notification shape for every alert source, modelled on
// Alertmanager's webhook payload so the generic webhook can pass it on unchanged.

/** Where a secret lives. The notifier holds only these names; values are fetched at run time. */
export type SecretLocation = { secretsManager: string; jsonKey?: string } | { ssm: string };

export type ReceiverConfig =
  | { name: string; type: "pagerduty"; routingKey: SecretLocation }
  | { name: string; type: "slack"; url: SecretLocation; channel?: string }
  | { name: string; type: "dingtalk"; url: SecretLocation; signingSecret?: SecretLocation; atMobiles: string[]; atAllOnCritical: boolean }
  | { name: string; type: "webhook"; url: SecretLocation };

export type ReceiverType = ReceiverConfig["type"];
export const NOTIFIER_RECEIVER_TYPES: readonly ReceiverType[] = ["pagerduty", "slack", "dingtalk", "webhook"];

export interface NotifierConfig {
  /** `<project>-<environment>`: makes PagerDuty dedup keys unique across environments. */
  namePrefix: string;
  /** Receivers by SNS topic name: each topic belongs to exactly one receiver. */
  receivers: Record<string, ReceiverConfig>;
  /** Labels of the stack's CloudWatch alarms by alarm name (their SNS messages carry none). */
  alarmLabels: Record<string, Record<string, string>>;
}

export type AlertStatus = "firing" | "resolved";

export interface Alert {
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  /** Stable per alert identity (same when it fires and when it resolves). */
  fingerprint: string;
}

export interface Notification {
  source: "cloudwatch" | "amp" | "sns";
  receiver: string;
  status: AlertStatus;
  groupKey: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  alerts: Alert[];
}

/** Go's zero time: what Alertmanager puts in endsAt while an alert has no known end. */
export const ZERO_TIME = "0001-01-01T00:00:00Z";
