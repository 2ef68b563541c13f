// The deployment package itself: unzipped and run by a separate Node.js process, as Lambda runs it,
// with the AWS SDK reading the receivers' secrets from a local stand-in for Secrets Manager and SSM
// (through the SDK's documented AWS_ENDPOINT_URL_<SERVICE> overrides) and delivering to the local
// Slack and webhook servers. Proves the bundle, config.json and the SDK wiring, not just the handler.
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { readdirSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { notifierPackage } from "../../constructs/notifier-bundle";
import { canonicalJson } from "../../constructs/notifier-config";
import { requireTool, run, tempDir } from "../support";
import { Services, ampEvent, cloudWatchMessage, exampleAlarms, exampleConfig, exampleSecrets, snsEvent, startServices } from "./support";

let services: Services;
let aws: { url: string; targets: string[]; close(): Promise<void> };

/** Secrets Manager's GetSecretValue and SSM's GetParameter (AWS JSON 1.1), answering from `values`. */
async function fakeAws(values: Record<string, string>): Promise<typeof aws> {
  const targets: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const target = String(req.headers["x-amz-target"]);
      const input = JSON.parse(Buffer.concat(chunks).toString("utf8"));
      targets.push(`${target} ${input.SecretId ?? input.Name}`);
      const reply = (status: number, body: unknown) => {
        res.writeHead(status, { "content-type": "application/x-amz-json-1.1" });
        res.end(JSON.stringify(body));
      };
      if (target === "secretsmanager.GetSecretValue" && `sm:${input.SecretId}` in values)
        return reply(200, { ARN: `arn:aws:secretsmanager:us-east-1:333333333333:secret:${input.SecretId}-AbCdEf`, Name: input.SecretId, SecretString: values[`sm:${input.SecretId}`], VersionId: "v1" });
      if (target === "AmazonSSM.GetParameter" && `ssm:${input.Name}` in values) return reply(200, { Parameter: { Name: input.Name, Type: "SecureString", Value: values[`ssm:${input.Name}`], Version: 1 } });
      reply(400, { __type: "ResourceNotFoundException", message: "not found" });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    targets,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeAll(async () => {
  services = await startServices();
  aws = await fakeAws(exampleSecrets(services));
});
afterAll(async () => {
  for (const s of Object.values(services)) await s.close();
  await aws.close();
});

test("the zipped bundle runs under a plain Node.js process and delivers with secrets from the AWS SDK", async () => {
  const pkg = notifierPackage(canonicalJson(exampleConfig()));
  const dir = tempDir("notifier-package");
  run(requireTool("unzip", "apt-get install unzip"), ["-q", pkg.file, "-d", dir]);
  expect(readdirSync(dir).sort()).toEqual(["config.json", "index.js"]);

  const anomaly = exampleAlarms().find((a) => a.key === "sports-api-AlbRequestCountAnomaly-warning")!;
  const watchdog = {
    status: "firing" as const,
    labels: { alertname: "Watchdog", severity: "info" },
    annotations: { summary: "Alerting pipeline heartbeat" },
    startsAt: "2026-03-01T00:00:00Z",
    endsAt: "0001-01-01T00:00:00Z",
    generatorURL: "",
    fingerprint: "e4b2a7c1d9f03568",
  };
  const events = [
    snsEvent("slack-backend", cloudWatchMessage(anomaly, "ALARM"), null),
    ampEvent({ receiver: "heartbeat", status: "firing", alerts: [watchdog], groupLabels: {}, commonLabels: watchdog.labels, commonAnnotations: {}, externalURL: "" }, "webhook"),
    snsEvent("slack-backend", cloudWatchMessage(anomaly, "OK"), null),
  ];
  const eventsFile = path.join(tempDir("notifier-events"), "events.json");
  writeFileSync(eventsFile, JSON.stringify(events));

  const script = `
    const { handler } = require(${JSON.stringify(path.join(dir, "index.js"))});
    const events = require(${JSON.stringify(eventsFile)});
    (async () => { for (const e of events) await handler(e, { getRemainingTimeInMillis: () => 60000 }); })()
      .catch((e) => { console.error("FAILED " + e.message); process.exit(1); });`;
  const env = {
    PATH: process.env.PATH,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIAFAKEFAKEFAKEFAKE",
    AWS_SECRET_ACCESS_KEY: "fake-secret-access-key",
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_ENDPOINT_URL_SECRETS_MANAGER: aws.url,
    AWS_ENDPOINT_URL_SSM: aws.url,
  };
  const { stdout } = await new Promise<{ stdout: string }>((resolve, reject) =>
    execFile(process.execPath, ["-e", script], { env, cwd: dir, encoding: "utf8" }, (error, out, err) => (error ? reject(new Error(`${error.message}\n${out}\n${err}`)) : resolve({ stdout: out }))),
  );

  // Each secret read once: the second Slack message came from the cache.
  expect(aws.targets.sort()).toEqual(["AmazonSSM.GetParameter /monitoring/heartbeat/url", "secretsmanager.GetSecretValue monitoring/slack/backend-alerts"]);
  expect(services.slack.requests.map((r) => r.url)).toEqual(["/services/T0BACKEND/B0ALERTS/slackSecretToken111", "/services/T0BACKEND/B0ALERTS/slackSecretToken111"]);
  expect(services.slack.requests.map((r) => JSON.parse(r.body).text)).toEqual(["🔥 [FIRING:1] AlbRequestCountAnomaly (sports-api)", "✅ [RESOLVED] AlbRequestCountAnomaly (sports-api)"]);
  expect(services.webhook.requests.map((r) => [r.url, JSON.parse(r.body).alerts[0].labels.alertname])).toEqual([["/heartbeat/deadmanSwitchToken333", "Watchdog"]]);

  // The Lambda's logs: JSON lines, a delivery per message, no secret.
  const lines = stdout.trim().split("\n").map((l) => JSON.parse(l));
  expect(lines.filter((l) => l.message === "delivered").map((l) => l.receiver)).toEqual(["slack-backend", "heartbeat", "slack-backend"]);
  for (const secret of Object.values(exampleSecrets(services))) expect(stdout).not.toContain(new URL(secret, "http://x").pathname);
});
