// Measures the notifier as deployed: the example's package is built, unzipped and loaded like Lambda
// loads it (secrets through the AWS SDK from a local Secrets Manager/SSM stand-in), warmed up, then
// fed messages one at a time against a local HTTP server. Prints one JSON line per receiver with
// the cold-start-free time per message, and one with the bundle size. Not part of the tests.
//
//   npx tsx scripts/measure-notifier.ts [messages per receiver, default 1000]
import { execFileSync } from "node:child_process";
import { mkdtempSync, statSync } from "node:fs";
import { createServer, IncomingMessage, ServerResponse } from "node:http";
import { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { buildAlarms } from "../alerts/alarms";
import { blueprintCatalog } from "../alerts/blueprints";
import { topicName } from "../constructs/notification-topics";
import { notifierPackage } from "../constructs/notifier-bundle";
import { canonicalJson, notifierConfig } from "../constructs/notifier-config";
import { loadModelFile } from "../model/load";
import type { NotifierHandler } from "../notifier/handler";

const MESSAGES = Number(process.argv[2] ?? 1000);
const PREFIX = "sports-coach-prod";
const ACCOUNT = "333333333333";

async function listen(handle: (req: IncomingMessage, body: string, res: ServerResponse) => void): Promise<string> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => handle(req, Buffer.concat(chunks).toString("utf8"), res));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function snsEvent(receiver: string, message: string) {
  const topic = `arn:aws:sns:us-east-1:${ACCOUNT}:${topicName(PREFIX, receiver)}`;
  return { Records: [{ EventSource: "aws:sns", EventVersion: "1.0", EventSubscriptionArn: `${topic}:1`, Sns: { Type: "Notification", MessageId: "m", TopicArn: topic, Subject: "s", Message: message, Timestamp: new Date().toISOString() } }] };
}

function cloudWatchAlarm(alarmName: string, state: "ALARM" | "OK"): string {
  return JSON.stringify({
    AlarmName: alarmName,
    AlarmDescription: "CPU utilisation (%) — sports-db (critical)",
    AWSAccountId: ACCOUNT,
    NewStateValue: state,
    NewStateReason: "Threshold Crossed: 5 out of the last 5 datapoints [97.5 (01/03/26 07:59:00)] were greater than the threshold (90.0).",
    StateChangeTime: "2026-03-01T08:00:00.000+0000",
    Region: "US East (N. Virginia)",
    AlarmArn: `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${alarmName}`,
    OldStateValue: state === "ALARM" ? "OK" : "ALARM",
    Trigger: { MetricName: "CPUUtilization", Namespace: "AWS/RDS", StatisticType: "Statistic", Statistic: "AVERAGE", Dimensions: [{ value: "sportcoach-db", name: "DBInstanceIdentifier" }], Period: 60, EvaluationPeriods: 5, ComparisonOperator: "GreaterThanThreshold", Threshold: 90 },
  });
}

function ampGroup(receiver: string, status: "firing" | "resolved"): string {
  const alert = {
    status,
    labels: { alertname: "HttpApiDown", service: "sports-api", severity: "critical", team: "backend", instance: "10.0.3.17:8080" },
    annotations: { summary: "sports-api is down", description: "Fewer than 50% of targets are up.", runbook_url: "https://runbooks.example.com/http-api-down" },
    startsAt: "2026-03-01T07:58:30.512Z",
    endsAt: "0001-01-01T00:00:00.000Z",
    generatorURL: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/graph?g0.expr=up",
    fingerprint: "7d1c9e2f0a3b4c5d",
  };
  return JSON.stringify({ version: "4", receiver, status, groupKey: `${receiver}:alertname=HttpApiDown`, groupLabels: { alertname: "HttpApiDown" }, commonLabels: alert.labels, commonAnnotations: alert.annotations, externalURL: "", alerts: [alert] });
}

async function main(): Promise<void> {
  const model = loadModelFile(path.join(__dirname, "..", ...(path.basename(path.resolve(__dirname, "..")) === "dist" ? [".."] : []), "examples", "sports-coach.yaml"), blueprintCatalog).environments.find((e) => e.name === "prod")!.model;
  const config = notifierConfig(model, { namePrefix: PREFIX, topicName: (r) => topicName(PREFIX, r), alarms: buildAlarms(model, PREFIX) });
  const built = Date.now();
  const pkg = notifierPackage(canonicalJson(config));
  const buildMs = Date.now() - built;
  const dir = mkdtempSync(path.join(tmpdir(), "notifier-measure-"));
  execFileSync("unzip", ["-q", pkg.file, "-d", dir]);
  console.log(JSON.stringify({ bundleBytes: statSync(path.join(dir, "index.js")).size, zipBytes: statSync(pkg.file).size, firstPackageMs: buildMs }));

  const receiversUrl = await listen((req, _body, res) => {
    if (req.url?.startsWith("/v2/enqueue")) res.writeHead(202).end('{"status":"success"}');
    else if (req.url?.startsWith("/robot")) res.writeHead(200, { "content-type": "application/json" }).end('{"errcode":0,"errmsg":"ok"}');
    else res.writeHead(200).end("ok");
  });
  const values: Record<string, string> = {
    "monitoring/slack/backend-alerts": `${receiversUrl}/services/T0/B0/x`,
    "monitoring/dingtalk/ops-robot": `${receiversUrl}/robot/send?access_token=t`,
    "monitoring/dingtalk/ops-robot-secret": "SECmeasure",
    "monitoring/pagerduty/platform-routing-key": "R0UT1NGKEY",
    "/monitoring/heartbeat/url": `${receiversUrl}/heartbeat`,
  };
  const awsUrl = await listen((req, body, res) => {
    const input = JSON.parse(body);
    res.writeHead(200, { "content-type": "application/x-amz-json-1.1" });
    if (String(req.headers["x-amz-target"]).startsWith("secretsmanager")) res.end(JSON.stringify({ Name: input.SecretId, SecretString: values[input.SecretId] }));
    else res.end(JSON.stringify({ Parameter: { Name: input.Name, Value: values[input.Name] } }));
  });
  Object.assign(process.env, {
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: awsUrl,
    AWS_ENDPOINT_URL_SSM: awsUrl,
  });
  // PagerDuty's real endpoint is fixed in the bundle; point it at the local server for this process.
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input, init) => realFetch(String(input).replace("https://events.pagerduty.com", receiversUrl), init);
  const loaded = Date.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(path.join(dir, "index.js")) as { handler: NotifierHandler };
  const loadMs = Date.now() - loaded;
  const silence = console.log;
  const context = { getRemainingTimeInMillis: () => 120_000 };

  const scenarios: Array<{ receiver: string; source: string; messages: number; event: (i: number) => ReturnType<typeof snsEvent> }> = [
    { receiver: "pagerduty-oncall", source: "amp", messages: MESSAGES, event: (i) => snsEvent("pagerduty-oncall", ampGroup("pagerduty-oncall", i % 2 ? "resolved" : "firing")) },
    { receiver: "slack-backend", source: "cloudwatch", messages: MESSAGES, event: (i) => snsEvent("slack-backend", cloudWatchAlarm(`${PREFIX}-sports-db-RdsCpuHigh-critical`, i % 2 ? "OK" : "ALARM")) },
    { receiver: "heartbeat", source: "amp", messages: MESSAGES, event: () => snsEvent("heartbeat", ampGroup("heartbeat", "firing")) },
    // One robot takes 20 messages a minute; more would measure the rate limit, not the handler.
    { receiver: "dingtalk-ops", source: "cloudwatch", messages: 19, event: (i) => snsEvent("dingtalk-ops", cloudWatchAlarm(`${PREFIX}-sports-db-RdsCpuHigh-critical`, i % 2 ? "OK" : "ALARM")) },
  ];
  console.log = () => undefined;
  const results = [];
  try {
    for (const s of scenarios) {
      await handler(s.event(0) as never, context); // warm: secrets cached, connections open
      const times: number[] = [];
      for (let i = 1; i <= s.messages; i++) {
        const t = process.hrtime.bigint();
        await handler(s.event(i) as never, context);
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      times.sort((a, b) => a - b);
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      results.push({ receiver: s.receiver, source: s.source, messages: s.messages, meanMs: round(mean), p50Ms: round(times[Math.floor(times.length / 2)]), p99Ms: round(times[Math.floor(times.length * 0.99)]) });
    }
  } finally {
    console.log = silence;
  }
  console.log(JSON.stringify({ moduleLoadMs: loadMs }));
  for (const r of results) console.log(JSON.stringify(r));
}

const round = (n: number) => Math.round(n * 1000) / 1000;

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
