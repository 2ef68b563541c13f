// Model → the notifier's configuration (plain data, no cdktf): which topic belongs to which
// receiver, where each receiver's secrets live, and the labels of the stack's CloudWatch alarms.
import { AlarmDefinition } from "../alerts/alarms";
import { MonitoringModel, SecretRefSpec } from "../model/schema";
import { NOTIFIER_RECEIVER_TYPES, NotifierConfig, ReceiverConfig, SecretLocation } from "../notifier/types";

/** Receivers the notifier delivers (everything but e-mail, which SNS delivers itself), sorted. */
export function notifierReceivers(model: MonitoringModel): string[] {
  return Object.keys(model.receivers)
    .filter((r) => (NOTIFIER_RECEIVER_TYPES as readonly string[]).includes(model.receivers[r].type))
    .sort();
}

/** `{variable: x}` references become this Secrets Manager secret, filled from the sensitive variable. */
export function variableSecretName(namePrefix: string, variable: string): string {
  return `${namePrefix}/notifier/${variable}`;
}

export function secretLocation(ref: SecretRefSpec, namePrefix: string): SecretLocation {
  if ("ssm" in ref) return { ssm: ref.ssm };
  if ("variable" in ref) return { secretsManager: variableSecretName(namePrefix, ref.variable) };
  return ref.json_key === undefined ? { secretsManager: ref.secrets_manager } : { secretsManager: ref.secrets_manager, jsonKey: ref.json_key };
}

/** Terraform variables named by the notifier receivers' secret references, sorted and distinct. */
export function secretVariables(model: MonitoringModel): string[] {
  const refs = notifierReceivers(model).flatMap((r) => secretRefs(model, r));
  return [...new Set(refs.flatMap((ref) => ("variable" in ref ? [ref.variable] : [])))].sort();
}

function secretRefs(model: MonitoringModel, receiver: string): SecretRefSpec[] {
  const spec = model.receivers[receiver];
  switch (spec.type) {
    case "pagerduty":
      return [spec.routing_key];
    case "slack":
      return [spec.webhook_url];
    case "dingtalk":
      return spec.signing_secret ? [spec.webhook_url, spec.signing_secret] : [spec.webhook_url];
    case "webhook":
      return [spec.url];
    case "email":
      return [];
  }
}

export function notifierConfig(model: MonitoringModel, opts: { namePrefix: string; topicName(receiver: string): string; alarms: AlarmDefinition[] }): NotifierConfig {
  const loc = (ref: SecretRefSpec) => secretLocation(ref, opts.namePrefix);
  const receiverConfig = (name: string): ReceiverConfig => {
    const spec = model.receivers[name];
    switch (spec.type) {
      case "pagerduty":
        return { name, type: "pagerduty", routingKey: loc(spec.routing_key) };
      case "slack":
        return { name, type: "slack", url: loc(spec.webhook_url), ...(spec.channel ? { channel: spec.channel } : {}) };
      case "dingtalk":
        return {
          name,
          type: "dingtalk",
          url: loc(spec.webhook_url),
          ...(spec.signing_secret ? { signingSecret: loc(spec.signing_secret) } : {}),
          atMobiles: spec.at_mobiles ?? [],
          atAllOnCritical: spec.at_all_on_critical ?? false,
        };
      case "webhook":
        return { name, type: "webhook", url: loc(spec.url) };
      case "email":
        throw new Error(`receiver ${name} is e-mail, which SNS delivers without the notifier`);
    }
  };
  return {
    namePrefix: opts.namePrefix,
    receivers: Object.fromEntries(notifierReceivers(model).map((r) => [opts.topicName(r), receiverConfig(r)])),
    alarmLabels: Object.fromEntries(opts.alarms.map((a) => [a.alarmName, a.labels])),
  };
}

/** JSON with object keys sorted at every level: the same config always gives the same bytes. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}
