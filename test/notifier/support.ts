// Test doubles for the notifier: local HTTP servers playing PagerDuty, Slack, DingTalk and a webhook,
// a virtual clock, a captured logger, the example's receivers with fake secret values, and SNS
// events shaped like the ones CloudWatch and AMP publish.
import { createServer, IncomingHttpHeaders, Server } from "node:http";
import { AddressInfo } from "node:net";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { SNSEvent } from "aws-lambda";
import { AlarmDefinition, buildAlarms } from "../../alerts/alarms";
import { SNS_TEMPLATES, SNS_JSON_TEMPLATE, SNS_SUBJECT_TEMPLATE } from "../../alerts/routing";
import { topicName } from "../../constructs/notification-topics";
import { notifierConfig } from "../../constructs/notifier-config";
import { Clock } from "../../notifier/clock";
import { Logger } from "../../notifier/log";
import { cachedSecrets, SecretResolver } from "../../notifier/secrets";
import { Alert, NotifierConfig } from "../../notifier/types";
import { EXAMPLES, loadExample, requireTool, run, tempDir } from "../support";

// ---------------------------------------------------------------------------------------------
// Local services

export interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

export interface Reply {
  status: number;
  body?: string;
  headers?: Record<string, string>;
  /** Never answer (the client's timeout must fire). */
  hang?: boolean;
}

export interface FakeService {
  name: string;
  requests: RecordedRequest[];
  /** Answers in order; when they run out, the default answer. */
  replies: Reply[];
  url(pathAndQuery: string): string;
  close(): Promise<void>;
}

export async function fakeService(name: string, defaultReply: Reply): Promise<FakeService> {
  const requests: RecordedRequest[] = [];
  const replies: Reply[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const reply = replies.shift() ?? defaultReply;
      if (reply.hang) return;
      res.writeHead(reply.status, { "content-type": "application/json", ...reply.headers });
      res.end(reply.body ?? "");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    name,
    requests,
    replies,
    url: (p) => `http://127.0.0.1:${port}${p}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface Services {
  pagerduty: FakeService;
  slack: FakeService;
  dingtalk: FakeService;
  webhook: FakeService;
}

export const PAGERDUTY_OK: Reply = { status: 202, body: JSON.stringify({ status: "success", message: "Event processed" }) };
export const SLACK_OK: Reply = { status: 200, body: "ok", headers: { "content-type": "text/html" } };
export const DINGTALK_OK: Reply = { status: 200, body: JSON.stringify({ errcode: 0, errmsg: "ok" }) };
export const WEBHOOK_OK: Reply = { status: 200, body: "" };

export async function startServices(): Promise<Services> {
  return {
    pagerduty: await fakeService("pagerduty", PAGERDUTY_OK),
    slack: await fakeService("slack", SLACK_OK),
    dingtalk: await fakeService("dingtalk", DINGTALK_OK),
    webhook: await fakeService("webhook", WEBHOOK_OK),
  };
}

export function resetServices(services: Services): void {
  for (const s of Object.values(services)) {
    s.requests.length = 0;
    s.replies.length = 0;
  }
}

// ---------------------------------------------------------------------------------------------
// The sports-coach example's prod receivers, with secret values pointing at the local services

export const PREFIX = "sports-coach-prod";
export const ACCOUNT = "333333333333";
export const REGION = "us-east-1";
export const topicArnOf = (receiver: string) => `arn:aws:sns:${REGION}:${ACCOUNT}:${topicName(PREFIX, receiver)}`;

export const exampleModel = () => loadExample(EXAMPLES.sportsCoach).environments.find((e) => e.name === "prod")!.model;
export const exampleAlarms = (): AlarmDefinition[] => buildAlarms(exampleModel(), PREFIX);
export const exampleConfig = (): NotifierConfig => notifierConfig(exampleModel(), { namePrefix: PREFIX, topicName: (r) => topicName(PREFIX, r), alarms: exampleAlarms() });

/** Secret values shaped like the real ones; none of them may show up in logs, errors or outputs. */
export function exampleSecrets(services: Services): Record<string, string> {
  return {
    "sm:monitoring/pagerduty/platform-routing-key": "R0UT1NGKEY9f8e7d6c5b4a39281706f5",
    "sm:monitoring/slack/backend-alerts": services.slack.url("/services/T0BACKEND/B0ALERTS/slackSecretToken111"),
    "sm:monitoring/slack/ai-alerts": services.slack.url("/services/T0AI/B0ALERTS/slackSecretToken222"),
    "sm:monitoring/dingtalk/ops-robot": services.dingtalk.url("/robot/send?access_token=dingAccessToken0123456789abcdef"),
    "sm:monitoring/dingtalk/ops-robot-secret": "SECdingSigningSecret+/=0123456789abcdef0123456789abcdef",
    "ssm:/monitoring/heartbeat/url": services.webhook.url("/heartbeat/deadmanSwitchToken333"),
  };
}

export function fakeSecrets(values: Record<string, string>, clock: Clock): SecretResolver & { reads: string[] } {
  const reads: string[] = [];
  const read = (key: string) => {
    reads.push(key);
    if (!(key in values)) return Promise.reject(new Error(`no such secret ${key}`));
    return Promise.resolve(values[key]);
  };
  return Object.assign(cachedSecrets({ secretsManager: (id) => read(`sm:${id}`), ssm: (name) => read(`ssm:${name}`) }, { clock }), { reads });
}

// ---------------------------------------------------------------------------------------------
// Time and logs

/** A clock that jumps ahead when slept on: a minute of rate limiting takes microseconds. */
export function virtualClock(start = Date.parse("2026-03-01T08:00:00Z")): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return new Promise((resolve) => setImmediate(resolve));
    },
  };
}

export function capturedLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (level: string) => (message: string, fields = {}) => lines.push(JSON.stringify({ level, message, ...fields }));
  return { lines, info: log("info"), warn: log("warn"), error: log("error") };
}

// ---------------------------------------------------------------------------------------------
// SNS events

export function snsEvent(receiver: string, message: string, subject: string | null, attributes: Record<string, string> = {}): SNSEvent {
  const topic = topicArnOf(receiver);
  const id = `0a1b2c3d-${Math.abs(hashCode(message)).toString(16).padStart(8, "0").slice(0, 4)}-5e6f-7a8b-9c0d1e2f3a4b`;
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: `${topic}:7c5d8e1a-1111-4222-8333-944455556666`,
        Sns: {
          Type: "Notification",
          MessageId: id,
          TopicArn: topic,
          Subject: subject as string,
          Message: message,
          Timestamp: "2026-03-01T08:00:00.000Z",
          SignatureVersion: "1",
          Signature: "EXAMPLEpH+DcEwjAPg8O9mY8dReBSwksfg2S7WKQcikcNKWLQjwu6A4VbeS0QHVCkhRS7fUQvi2egU3N858fiTDN6bkkOxYDVrY0Ad8L10Hs3zH81mtnPk5uvvolIC1CXGu43obcgFxeL3khZl8IKvO61GWB6jI9b5+gLPoBc1Q=",
          SigningCertUrl: "https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000000000000000000000.pem",
          UnsubscribeUrl: `https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe&SubscriptionArn=${topic}:7c5d8e1a-1111-4222-8333-944455556666`,
          MessageAttributes: Object.fromEntries(Object.entries(attributes).map(([k, v]) => [k, { Type: "String", Value: v }])),
        },
      },
    ],
  };
}

function hashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

const REGION_NAME = "US East (N. Virginia)";
const cwTime = (iso: string) => iso.replace("Z", "+0000");

/**
 * The JSON CloudWatch publishes when `def` changes state: metric alarms with a Trigger (single
 * metric, or Metrics with ThresholdMetricId for anomaly bands), composite alarms with AlarmRule
 * and TriggeringChildren.
 */
export function cloudWatchMessage(def: AlarmDefinition, state: "ALARM" | "OK", at = "2026-03-01T08:00:00.000Z", all: AlarmDefinition[] = []): string {
  const arn = (name: string) => `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:${name}`;
  const actions = def.receivers.map(topicArnOf);
  const base = {
    AlarmName: def.alarmName,
    AlarmDescription: def.description,
    AWSAccountId: ACCOUNT,
    AlarmConfigurationUpdatedTimestamp: "2026-02-20T10:11:12.345+0000",
    NewStateValue: state,
    NewStateReason:
      state === "OK"
        ? "Threshold Crossed: no datapoints were received for 5 periods and 5 missing datapoints were treated as [NonBreaching]."
        : def.thresholdMetricId
          ? "Thresholds Crossed: 3 out of the last 3 datapoints [8812.0 (01/03/26 07:55:00), 9120.0 (01/03/26 07:50:00)] were greater than the upper thresholds [6400.5, 6390.2] (minimum 3 datapoints for OK -> ALARM transition)."
          : `Threshold Crossed: 5 out of the last 5 datapoints [97.5 (01/03/26 07:59:00), 96.1 (01/03/26 07:58:00)] were greater than the threshold (${def.threshold}) (minimum 5 datapoints for OK -> ALARM transition).`,
    StateChangeTime: cwTime(at),
    Region: REGION_NAME,
    AlarmArn: arn(def.alarmName),
    OldStateValue: state === "ALARM" ? "OK" : "ALARM",
    OKActions: actions,
    AlarmActions: actions,
    InsufficientDataActions: [],
  };
  if (def.compositeRule) {
    const children = [...def.compositeRule.matchAll(/ALARM\("?([^")]+)"?\)/g)].map((m) => all.find((a) => a.key === m[1])!);
    return JSON.stringify({
      ...base,
      NewStateReason: state === "ALARM" ? `${arn(children[0].alarmName)} transitioned to ALARM at Sunday 01 March, 2026 08:00:00 UTC` : `${arn(children[0].alarmName)} transitioned to OK`,
      AlarmRule: def.compositeRule.replace(/ALARM\("?([^")]+)"?\)/g, (_m, key) => `ALARM("${all.find((a) => a.key === key)!.alarmName}")`),
      TriggeringChildren: children.map((c) => ({ Arn: arn(c.alarmName), State: { Value: state, Timestamp: cwTime(at) } })),
    });
  }
  const dims = (d: Record<string, string>) => Object.entries(d).map(([name, value]) => ({ value, name }));
  const common = {
    Period: def.metric?.period ?? 60,
    EvaluationPeriods: def.evaluationPeriods,
    DatapointsToAlarm: def.datapointsToAlarm,
    ComparisonOperator: def.comparison,
    TreatMissingData: def.treatMissingData ?? "missing",
    EvaluateLowSampleCountPercentile: "",
  };
  const trigger = def.metric
    ? {
        MetricName: def.metric.metricName,
        Namespace: def.metric.namespace,
        StatisticType: def.metric.extendedStatistic ? "ExtendedStatistic" : "Statistic",
        ...(def.metric.extendedStatistic ? { ExtendedStatistic: def.metric.extendedStatistic } : { Statistic: def.metric.statistic!.toUpperCase() }),
        Unit: null,
        Dimensions: dims(def.metric.dimensions),
        ...common,
        Threshold: def.threshold,
      }
    : {
        ...common,
        ...(def.thresholdMetricId ? { ThresholdMetricId: def.thresholdMetricId } : { Threshold: def.threshold }),
        Metrics: def.queries!.map((q) => ({
          Id: q.id,
          ...(q.expression ? { Expression: q.expression } : {}),
          ...(q.label ? { Label: q.label } : {}),
          ...(q.metric
            ? { MetricStat: { Metric: { Dimensions: dims(q.metric.dimensions), MetricName: q.metric.metricName, Namespace: q.metric.namespace }, Period: q.metric.period, Stat: q.metric.statistic ?? q.metric.extendedStatistic } }
            : {}),
          ReturnData: q.returnData,
        })),
      };
  return JSON.stringify({ ...base, Trigger: trigger });
}

export function cloudWatchSubject(def: AlarmDefinition, state: "ALARM" | "OK"): string {
  return `${state}: "${def.alarmName}" in ${REGION_NAME}`;
}

/** Alertmanager's template data (what AMP renders our templates with). */
export interface AlertmanagerData {
  receiver: string;
  status: "firing" | "resolved";
  alerts: Alert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
}

let templateFile: string | undefined;

/** Renders one of our AMP templates with amtool, the same Go template engine AMP runs. */
export function renderAmpTemplate(data: AlertmanagerData, template: string): string {
  const amtool = requireTool("amtool", "apt-get install prometheus-alertmanager (see .ci/run)");
  const dir = tempDir("amp-template");
  if (!templateFile) {
    templateFile = path.join(tempDir("amp-templates"), "monitoring.tmpl");
    writeFileSync(templateFile, SNS_TEMPLATES);
  }
  const dataFile = path.join(dir, "data.json");
  writeFileSync(dataFile, JSON.stringify(data));
  return run(amtool, ["template", "render", `--template.glob=${templateFile}`, `--template.text={{ template "${template}" . }}`, `--template.data=${dataFile}`]);
}

/** The SNS event AMP publishes for this alert group to a notifier-delivered receiver's topic. */
export function ampEvent(data: AlertmanagerData, receiverType: string): SNSEvent {
  return snsEvent(data.receiver, renderAmpTemplate(data, SNS_JSON_TEMPLATE), renderAmpTemplate(data, SNS_SUBJECT_TEMPLATE), { receiver: data.receiver, receiver_type: receiverType });
}
