// SNS messages → notifications. Three shapes arrive on our topics: CloudWatch alarm state changes
// (metric, metric-math, anomaly-band and composite alarms), AMP alert manager notifications
// rendered as JSON by our template (alerts/routing.ts), and anything else (a test publish from the
// console, or an AMP message SNS truncated), which is delivered as plain text rather than dropped.
import { createHash } from "node:crypto";
import type { SNSMessage } from "aws-lambda";
import { Alert, AlertStatus, Notification, ZERO_TIME } from "./types";

export interface ParseContext {
  receiver: string;
  alarmLabels: Record<string, Record<string, string>>;
}

/** The notification in an SNS message, or undefined for states we do not notify (INSUFFICIENT_DATA). */
export function parseSnsMessage(sns: Pick<SNSMessage, "Message" | "Subject" | "MessageId" | "Timestamp" | "TopicArn">, ctx: ParseContext): Notification | undefined {
  const body = parseJson(sns.Message);
  if (isObject(body) && typeof body.AlarmName === "string" && typeof body.NewStateValue === "string") return fromCloudWatch(body as unknown as CloudWatchAlarmMessage, ctx);
  if (isObject(body) && Array.isArray(body.alerts) && typeof body.status === "string") return fromAlertmanager(body, ctx);
  return fromText(sns, ctx);
}

/** The fields of CloudWatch's alarm notification that we use (metric and composite alarms). */
export interface CloudWatchAlarmMessage {
  AlarmName: string;
  AlarmDescription?: string | null;
  AWSAccountId?: string;
  NewStateValue: "ALARM" | "OK" | "INSUFFICIENT_DATA";
  NewStateReason?: string;
  StateChangeTime: string;
  Region?: string;
  AlarmArn: string;
  OldStateValue?: string;
  Trigger?: CloudWatchTrigger;
  /** Composite alarms only. */
  AlarmRule?: string;
  TriggeringChildren?: Array<{ Arn: string; State?: { Value?: string; Timestamp?: string } }>;
}

interface Dimension {
  name?: string;
  value?: string;
  Name?: string;
  Value?: string;
}

interface CloudWatchTrigger {
  MetricName?: string;
  Namespace?: string;
  Statistic?: string;
  ExtendedStatistic?: string;
  Dimensions?: Dimension[];
  Period?: number;
  EvaluationPeriods?: number;
  ComparisonOperator?: string;
  Threshold?: number;
  /** Anomaly alarms: the query whose band is the threshold. */
  ThresholdMetricId?: string;
  Metrics?: Array<{
    Id: string;
    Expression?: string;
    Label?: string;
    ReturnData?: boolean;
    MetricStat?: { Metric?: { Namespace?: string; MetricName?: string; Dimensions?: Dimension[] }; Period?: number; Stat?: string };
  }>;
}

const COMPARISONS: Record<string, string> = {
  GreaterThanThreshold: ">",
  GreaterThanOrEqualToThreshold: ">=",
  LessThanThreshold: "<",
  LessThanOrEqualToThreshold: "<=",
  LessThanLowerOrGreaterThanUpperThreshold: "outside the band",
  GreaterThanUpperThreshold: "above the band",
  LessThanLowerThreshold: "below the band",
};

function fromCloudWatch(m: CloudWatchAlarmMessage, ctx: ParseContext): Notification | undefined {
  if (m.NewStateValue !== "ALARM" && m.NewStateValue !== "OK") return undefined;
  const status: AlertStatus = m.NewStateValue === "ALARM" ? "firing" : "resolved";
  const at = cloudWatchTime(m.StateChangeTime);
  const labels = { alertname: m.AlarmName, source: "cloudwatch", ...ctx.alarmLabels[m.AlarmName] };
  const annotations = compact({
    summary: m.AlarmDescription || m.AlarmName,
    description: m.NewStateReason,
    condition: m.Trigger ? describeTrigger(m.Trigger) : undefined,
    alarm_rule: m.AlarmRule,
    triggering_alarms: m.TriggeringChildren?.map((c) => `${c.Arn.split(":alarm:").pop()} (${c.State?.Value ?? "?"})`).join(", ") || undefined,
  });
  const url = consoleAlarmUrl(m.AlarmArn, m.AlarmName);
  const alert: Alert = {
    status,
    labels,
    annotations,
    startsAt: at,
    endsAt: status === "resolved" ? at : ZERO_TIME,
    generatorURL: url,
    fingerprint: fingerprintOf(m.AlarmArn),
  };
  return {
    source: "cloudwatch",
    receiver: ctx.receiver,
    status,
    groupKey: `cloudwatch:${m.AlarmArn}`,
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: url,
    alerts: [alert],
  };
}

/** One line saying what the alarm watches, e.g. `AWS/RDS CPUUtilization (DBInstanceIdentifier=db) Average/60s > 80`. */
export function describeTrigger(t: CloudWatchTrigger): string {
  const op = COMPARISONS[t.ComparisonOperator ?? ""] ?? t.ComparisonOperator ?? "";
  const periods = t.EvaluationPeriods ? ` for ${t.EvaluationPeriods} period(s)` : "";
  if (t.Metrics?.length) {
    const shown = t.Metrics.filter((q) => q.ReturnData !== false && q.Id !== t.ThresholdMetricId);
    const metric = (shown.length ? shown : t.Metrics).map(describeQuery).join(", ");
    if (t.ThresholdMetricId) {
      const band = t.Metrics.find((q) => q.Id === t.ThresholdMetricId);
      return `${metric} ${op} ${band?.Expression ?? t.ThresholdMetricId}${periods}`;
    }
    return `${metric} ${op} ${t.Threshold}${periods}`;
  }
  const stat = t.ExtendedStatistic ?? t.Statistic?.toLowerCase().replace(/^./, (c) => c.toUpperCase());
  return `${t.Namespace} ${t.MetricName}${dimensions(t.Dimensions)} ${stat}/${t.Period}s ${op} ${t.Threshold}${periods}`;
}

function describeQuery(q: NonNullable<CloudWatchTrigger["Metrics"]>[number]): string {
  if (q.Expression) return `${q.Label ?? q.Id} = ${q.Expression}`;
  const m = q.MetricStat?.Metric;
  return `${m?.Namespace} ${m?.MetricName}${dimensions(m?.Dimensions)} ${q.MetricStat?.Stat}/${q.MetricStat?.Period}s`;
}

// CloudWatch writes dimensions as {name, value} in notifications and {Name, Value} in its API.
function dimensions(dims: Dimension[] | undefined): string {
  if (!dims?.length) return "";
  return ` (${dims.map((d) => `${d.name ?? d.Name}=${d.value ?? d.Value}`).join(", ")})`;
}

/** `2021-02-09T14:25:13.236+0000` (CloudWatch) → `2021-02-09T14:25:13.236Z`. */
export function cloudWatchTime(t: string): string {
  const ms = Date.parse(t.replace(/([+-]\d{2})(\d{2})$/, "$1:$2"));
  return Number.isNaN(ms) ? t : new Date(ms).toISOString();
}

/** The alarm's page in the CloudWatch console of its own partition and region. */
export function consoleAlarmUrl(alarmArn: string, alarmName: string): string {
  const [, partition, , region] = alarmArn.split(":");
  const host = partition === "aws-cn" ? `${region}.console.amazonaws.cn` : partition === "aws-us-gov" ? "console.amazonaws-us-gov.com" : `${region}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(alarmName)}`;
}

function fromAlertmanager(body: Record<string, unknown>, ctx: ParseContext): Notification {
  const alerts = (body.alerts as unknown[]).filter(isObject).map(
    (a): Alert => ({
      status: a.status === "resolved" ? "resolved" : "firing",
      labels: stringRecord(a.labels),
      annotations: stringRecord(a.annotations),
      startsAt: String(a.startsAt ?? ""),
      endsAt: String(a.endsAt ?? ZERO_TIME),
      generatorURL: String(a.generatorURL ?? ""),
      fingerprint: typeof a.fingerprint === "string" && a.fingerprint ? a.fingerprint : fingerprintOf(JSON.stringify(sortedEntries(stringRecord(a.labels)))),
    }),
  );
  return {
    source: "amp",
    receiver: typeof body.receiver === "string" ? body.receiver : ctx.receiver,
    status: body.status === "resolved" ? "resolved" : "firing",
    groupKey: String(body.groupKey ?? ""),
    groupLabels: stringRecord(body.groupLabels),
    commonLabels: stringRecord(body.commonLabels),
    commonAnnotations: stringRecord(body.commonAnnotations),
    externalURL: String(body.externalURL ?? ""),
    alerts,
  };
}

function fromText(sns: Pick<SNSMessage, "Message" | "Subject" | "MessageId" | "Timestamp" | "TopicArn">, ctx: ParseContext): Notification {
  const labels = { alertname: "SnsMessage", source: "sns" };
  const annotations = { summary: sns.Subject || `Message on ${sns.TopicArn.split(":").pop()}`, description: sns.Message };
  return {
    source: "sns",
    receiver: ctx.receiver,
    status: "firing",
    groupKey: `sns:${sns.MessageId}`,
    groupLabels: {},
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: "",
    alerts: [{ status: "firing", labels, annotations, startsAt: sns.Timestamp, endsAt: ZERO_TIME, generatorURL: "", fingerprint: fingerprintOf(sns.MessageId) }],
  };
}

/** 16 hex digits like Alertmanager's fingerprints. */
export function fingerprintOf(identity: string): string {
  return createHash("sha256").update(identity).digest("hex").slice(0, 16);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function stringRecord(v: unknown): Record<string, string> {
  return isObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, String(x)])) : {};
}

function sortedEntries(r: Record<string, string>): Array<[string, string]> {
  return Object.entries(r).sort(([a], [b]) => a.localeCompare(b));
}

function compact(o: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== ""));
}
