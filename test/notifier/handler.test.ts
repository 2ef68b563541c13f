// The notifier's handler end to end: SNS events shaped as CloudWatch and AMP publish them (AMP's
// rendered by amtool from our own template), through the real senders and HTTP client, to local
// servers playing PagerDuty, Slack, DingTalk and a dead man's switch webhook. Every test asserts the
// exact requests; the last one checks that no secret reached any log line or error.
import { createHmac } from "node:crypto";
import { createHandler, NotifierDeps } from "../../notifier/handler";
import { DeliveryError } from "../../notifier/http";
import { NotifierConfig } from "../../notifier/types";
import {
  AlertmanagerData,
  PREFIX,
  Services,
  ampEvent,
  capturedLogger,
  cloudWatchMessage,
  cloudWatchSubject,
  exampleAlarms,
  exampleConfig,
  exampleSecrets,
  fakeSecrets,
  resetServices,
  snsEvent,
  startServices,
  virtualClock,
} from "./support";

const config = exampleConfig();
const alarms = exampleAlarms();
const alarm = (key: string) => alarms.find((a) => a.key === key)!;
const consoleUrl = (name: string) => `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/${name}`;

let services: Services;
/** Every log line and error message of every handler in this file, checked for secrets at the end. */
const logged: string[] = [];

beforeAll(async () => {
  services = await startServices();
});
afterAll(async () => {
  for (const s of Object.values(services)) await s.close();
});
beforeEach(() => resetServices(services));

function notifier(overrides: Partial<NotifierDeps> = {}) {
  const clock = virtualClock();
  const logger = capturedLogger();
  const secrets = fakeSecrets(exampleSecrets(services), clock);
  const handler = createHandler({
    config,
    secrets,
    clock,
    logger,
    pagerDutyUrl: services.pagerduty.url("/v2/enqueue"),
    // Generous timeouts: a loaded CI machine must not turn a slow local answer into a retry.
    retry: { baseDelayMs: 200, maxDelayMs: 5_000, timeoutMs: 5_000 },
    random: () => 0.5,
    ...overrides,
  });
  const run: typeof handler = async (event, context) => {
    try {
      await handler(event, context);
    } catch (e) {
      logged.push((e as Error).message);
      throw e;
    } finally {
      logged.push(...logger.lines.splice(0));
    }
  };
  return { handler: run, clock, secrets };
}

const bodies = (s: { requests: Array<{ body: string }> }) => s.requests.map((r) => JSON.parse(r.body));
const JSON_HEADERS = { "content-type": "application/json", "user-agent": "monitoring-stack-notifier/1" };

/** An AMP alert group as Alertmanager hands it to templates. */
function ampGroup(receiver: string, alerts: AlertmanagerData["alerts"], groupLabels: Record<string, string>): AlertmanagerData {
  const common = (pick: (a: AlertmanagerData["alerts"][number]) => Record<string, string>) =>
    Object.fromEntries(Object.entries(pick(alerts[0])).filter(([k, v]) => alerts.every((a) => pick(a)[k] === v)));
  return {
    receiver,
    status: alerts.some((a) => a.status === "firing") ? "firing" : "resolved",
    alerts,
    groupLabels,
    commonLabels: common((a) => a.labels),
    commonAnnotations: common((a) => a.annotations),
    externalURL: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-3f9c2a1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b/alertmanager",
  };
}

const GENERATOR = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-3f9c2a1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b/graph?g0.expr=sum%28rate%28http_requests_total%7Bjob%3D%22sports-api%22%7D%5B5m%5D%29%29&g0.tab=1";
const apiDown = (status: "firing" | "resolved") => ({
  status,
  labels: { alertname: "HttpApiDown", instance: "10.0.3.17:8080", service: "sports-api", severity: "critical", team: "backend" },
  annotations: {
    summary: "sports-api is down",
    description: "Fewer than 50% of sports-api's targets are up. Threshold (critical): < 50%.",
    runbook_url: "https://runbooks.sports-coach.example.com/http-api-down",
  },
  startsAt: "2026-03-01T07:58:30.512Z",
  endsAt: status === "firing" ? "0001-01-01T00:00:00Z" : "2026-03-01T08:14:00Z",
  generatorURL: GENERATOR,
  fingerprint: "7d1c9e2f0a3b4c5d",
});

describe("PagerDuty Events API v2", () => {
  test("a CloudWatch alarm triggers an incident and its OK resolves it with the same dedup_key", async () => {
    const { handler } = notifier();
    const cpu = alarm("sports-db-RdsCpuHigh-critical");
    await handler(snsEvent("pagerduty-oncall", cloudWatchMessage(cpu, "ALARM"), cloudWatchSubject(cpu, "ALARM")));
    await handler(snsEvent("pagerduty-oncall", cloudWatchMessage(cpu, "OK", "2026-03-01T08:20:00.000Z"), cloudWatchSubject(cpu, "OK")));

    expect(services.pagerduty.requests.map((r) => [r.method, r.url])).toEqual([
      ["POST", "/v2/enqueue"],
      ["POST", "/v2/enqueue"],
    ]);
    for (const r of services.pagerduty.requests) expect(r.headers).toMatchObject(JSON_HEADERS);
    const [trigger, resolve] = bodies(services.pagerduty);
    expect(trigger).toEqual({
      routing_key: "R0UT1NGKEY9f8e7d6c5b4a39281706f5",
      event_action: "trigger",
      dedup_key: trigger.dedup_key,
      payload: {
        summary: "[critical] RdsCpuHigh (sports-db): CPU utilisation (%) — sports-db (critical)",
        source: "sports-db",
        severity: "critical",
        timestamp: "2026-03-01T08:00:00.000Z",
        component: "sports-db",
        group: "backend",
        class: "RdsCpuHigh",
        custom_details: {
          summary: "CPU utilisation (%) — sports-db (critical)",
          description:
            "Threshold Crossed: 5 out of the last 5 datapoints [97.5 (01/03/26 07:59:00), 96.1 (01/03/26 07:58:00)] were greater than the threshold (90) (minimum 5 datapoints for OK -> ALARM transition).",
          condition: "AWS/RDS CPUUtilization (DBInstanceIdentifier=sportcoach-db) Average/60s > 90 for 5 period(s)",
          labels: { service: "sports-db", source: "cloudwatch", team: "backend" },
          deployment: "sports-coach-prod",
        },
      },
      links: [{ text: "CloudWatch alarm", href: consoleUrl("sports-coach-prod-sports-db-RdsCpuHigh-critical") }],
      client: "monitoring-stack sports-coach-prod",
      client_url: consoleUrl("sports-coach-prod-sports-db-RdsCpuHigh-critical"),
    });
    expect(trigger.dedup_key).toMatch(/^sports-coach-prod\/[0-9a-f]{16}$/);
    expect(resolve).toEqual({ routing_key: "R0UT1NGKEY9f8e7d6c5b4a39281706f5", event_action: "resolve", dedup_key: trigger.dedup_key });
  });

  test("AMP alerts trigger per alert and resolve under the same dedup_key, with the runbook linked", async () => {
    const { handler } = notifier();
    await handler(ampEvent(ampGroup("pagerduty-oncall", [apiDown("firing")], { alertname: "HttpApiDown", service: "sports-api", severity: "critical" }), "pagerduty"));
    await handler(ampEvent(ampGroup("pagerduty-oncall", [apiDown("resolved")], { alertname: "HttpApiDown", service: "sports-api", severity: "critical" }), "pagerduty"));

    const [trigger, resolve] = bodies(services.pagerduty);
    expect(trigger).toEqual({
      routing_key: "R0UT1NGKEY9f8e7d6c5b4a39281706f5",
      event_action: "trigger",
      dedup_key: "sports-coach-prod/7d1c9e2f0a3b4c5d",
      payload: {
        summary: "[critical] HttpApiDown (sports-api): sports-api is down",
        source: "10.0.3.17:8080",
        severity: "critical",
        timestamp: "2026-03-01T07:58:30.512Z",
        component: "sports-api",
        group: "backend",
        class: "HttpApiDown",
        custom_details: {
          summary: "sports-api is down",
          description: "Fewer than 50% of sports-api's targets are up. Threshold (critical): < 50%.",
          runbook_url: "https://runbooks.sports-coach.example.com/http-api-down",
          labels: { instance: "10.0.3.17:8080", service: "sports-api", team: "backend" },
          deployment: "sports-coach-prod",
        },
      },
      links: [
        { text: "Runbook", href: "https://runbooks.sports-coach.example.com/http-api-down" },
        { text: "Source", href: GENERATOR },
      ],
      client: "monitoring-stack sports-coach-prod",
      client_url: GENERATOR,
    });
    expect(resolve).toEqual({ routing_key: "R0UT1NGKEY9f8e7d6c5b4a39281706f5", event_action: "resolve", dedup_key: "sports-coach-prod/7d1c9e2f0a3b4c5d" });
  });

  test("severities map to PagerDuty's; an unknown one pages as error", async () => {
    const { handler } = notifier();
    const alert = (severity: string | undefined, fingerprint: string) => {
      const a = apiDown("firing");
      const labels: Record<string, string> = { ...a.labels };
      if (severity) labels.severity = severity;
      else delete labels.severity;
      return { ...a, labels, fingerprint };
    };
    await handler(ampEvent(ampGroup("pagerduty-oncall", [alert("warning", "01"), alert("info", "02"), alert(undefined, "03")], {}), "pagerduty"));
    expect(bodies(services.pagerduty).map((b) => b.payload.severity)).toEqual(["warning", "info", "error"]);
  });
});

describe("Slack incoming webhooks", () => {
  test("an anomaly alarm becomes one Block Kit message, coloured by severity", async () => {
    const { handler } = notifier();
    const anomaly = alarm("sports-api-AlbRequestCountAnomaly-warning");
    await handler(snsEvent("slack-backend", cloudWatchMessage(anomaly, "ALARM"), cloudWatchSubject(anomaly, "ALARM")));

    expect(services.slack.requests.map((r) => [r.method, r.url])).toEqual([["POST", "/services/T0BACKEND/B0ALERTS/slackSecretToken111"]]);
    expect(services.slack.requests[0].headers).toMatchObject(JSON_HEADERS);
    const title = "🔥 [FIRING:1] AlbRequestCountAnomaly (sports-api)";
    expect(bodies(services.slack)[0]).toEqual({
      channel: "#backend-alerts",
      text: title,
      attachments: [
        {
          color: "#F4A261",
          fallback: title,
          blocks: [
            { type: "header", text: { type: "plain_text", text: title, emoji: true } },
            {
              type: "section",
              text: {
                type: "mrkdwn",
                text:
                  "*AlbRequestCountAnomaly* · warning\nRequest count outside its learned band (traffic drop or surge) — sports-api (warning)\n" +
                  "Thresholds Crossed: 3 out of the last 3 datapoints [8812.0 (01/03/26 07:55:00), 9120.0 (01/03/26 07:50:00)] were greater than the upper thresholds [6400.5, 6390.2] (minimum 3 datapoints for OK -&gt; ALARM transition).",
              },
            },
            {
              type: "context",
              elements: [
                {
                  type: "mrkdwn",
                  text: `service: sports-api · source: cloudwatch · team: backend · since 2026-03-01T08:00:00.000Z · <${consoleUrl("sports-coach-prod-sports-api-AlbRequestCountAnomaly-warning")}|CloudWatch alarm>`,
                },
              ],
            },
          ],
        },
      ],
    });
  });

  test("an AMP group is one message: firing alerts by highest severity, resolved ones in green, text escaped", async () => {
    const { handler } = notifier();
    const latency = {
      ...apiDown("firing"),
      labels: { alertname: "HttpApiHighLatencyP95", service: "sports-api", severity: "warning", team: "backend" },
      annotations: { summary: "p95 latency > 1s <for> clients & partners", description: "It's \"slow\"\non two lines" },
      fingerprint: "a1a1a1a1a1a1a1a1",
    };
    await handler(ampEvent(ampGroup("slack-backend", [apiDown("firing"), latency, { ...apiDown("resolved"), fingerprint: "b2b2b2b2b2b2b2b2" }], { service: "sports-api" }), "slack"));

    expect(services.slack.requests).toHaveLength(1);
    const message = bodies(services.slack)[0];
    expect(message.text).toBe("🔥 [FIRING:2] 2 alerts (sports-api)");
    expect(message.attachments.map((a: any) => a.color)).toEqual(["#D7263D", "#2EB67D"]);
    const sections = message.attachments.map((a: any) => a.blocks.filter((b: any) => b.type === "section").map((b: any) => b.text.text));
    expect(sections[0]).toEqual([
      "*HttpApiDown* · critical\nsports-api is down\nFewer than 50% of sports-api's targets are up. Threshold (critical): &lt; 50%.",
      "*HttpApiHighLatencyP95* · warning\np95 latency &gt; 1s &lt;for&gt; clients &amp; partners\nIt's \"slow\"\non two lines",
    ]);
    expect(sections[1]).toEqual(["*HttpApiDown* · resolved\nsports-api is down\nFewer than 50% of sports-api's targets are up. Threshold (critical): &lt; 50%."]);
    expect(message.attachments[1].blocks[0].text.text).toBe("✅ Resolved: 1");
  });
});

/** Verifies a request the way DingTalk does: timestamp within an hour, sign = base64 HMAC-SHA256 of "timestamp\nsecret". */
function verifyDingTalkSignature(requestUrl: string, secret: string, now: number): void {
  const query = new URL(requestUrl, "http://robot").searchParams;
  const timestamp = Number(query.get("timestamp"));
  expect(Math.abs(now - timestamp)).toBeLessThan(3600_000);
  const expected = createHmac("sha256", secret).update(`${timestamp}\n${secret}`).digest("base64");
  expect(query.get("sign")).toBe(expected);
  // URL-encoded: a raw '+' would arrive as a space, a raw '/' or '=' would break the query.
  expect(requestUrl).toContain(`sign=${encodeURIComponent(expected)}`);
}

describe("DingTalk robots", () => {
  const SIGNING_SECRET = "SECdingSigningSecret+/=0123456789abcdef0123456789abcdef";

  test("a critical composite alarm: signed markdown message that @-mentions the on-call phone", async () => {
    const { handler, clock } = notifier();
    const composite = alarm("platform-degraded");
    await handler(snsEvent("dingtalk-ops", cloudWatchMessage(composite, "ALARM", undefined, alarms), cloudWatchSubject(composite, "ALARM")));

    expect(services.dingtalk.requests).toHaveLength(1);
    const request = services.dingtalk.requests[0];
    expect(request.method).toBe("POST");
    expect(request.url).toMatch(/^\/robot\/send\?access_token=dingAccessToken0123456789abcdef&timestamp=\d{13}&sign=[A-Za-z0-9%]+$/);
    expect(request.headers).toMatchObject(JSON_HEADERS);
    verifyDingTalkSignature(request.url, SIGNING_SECRET, clock.now());
    expect(JSON.parse(request.body)).toEqual({
      msgtype: "markdown",
      markdown: {
        title: "[FIRING:1] platform-degraded",
        text: [
          "### [FIRING:1] platform-degraded",
          "---",
          "#### 🔥 platform-degraded",
          "**CRITICAL** API errors and slow database together mean users are affected",
          "> arn:aws:cloudwatch:us-east-1:333333333333:alarm:sports-coach-prod-api-5xx-burst transitioned to ALARM at Sunday 01 March, 2026 08:00:00 UTC",
          "Since 2026-03-01T08:00:00.000Z",
          `[CloudWatch alarm](${consoleUrl("sports-coach-prod-platform-degraded")})`,
          "@13800000000",
        ].join("\n\n"),
      },
      at: { atMobiles: ["13800000000"], isAtAll: false },
    });
  });

  test("warnings mention nobody; a robot without a signing secret gets no timestamp or sign", async () => {
    const unsigned: NotifierConfig = JSON.parse(JSON.stringify(config));
    delete (unsigned.receivers[`${PREFIX}-dingtalk-ops`] as { signingSecret?: unknown }).signingSecret;
    const { handler } = notifier({ config: unsigned });
    const warning = alarm("sports-db-RdsCpuHigh-warning");
    await handler(snsEvent("dingtalk-ops", cloudWatchMessage(warning, "ALARM"), cloudWatchSubject(warning, "ALARM")));

    expect(services.dingtalk.requests.map((r) => r.url)).toEqual(["/robot/send?access_token=dingAccessToken0123456789abcdef"]);
    const body = bodies(services.dingtalk)[0];
    expect(body.at).toEqual({ atMobiles: [], isAtAll: false });
    expect(body.markdown.text).not.toContain("@");
  });

  test("a burst of 50 alerts from concurrent deliveries is merged into a few messages, each alert once", async () => {
    const { handler } = notifier();
    const names = Array.from({ length: 50 }, (_, i) => `${PREFIX}-burst-${String(i).padStart(2, "0")}`);
    const cpu = alarm("sports-db-RdsCpuHigh-critical");
    await Promise.all(names.map((n) => handler(snsEvent("dingtalk-ops", cloudWatchMessage({ ...cpu, alarmName: n }, "ALARM"), null))));

    const texts = bodies(services.dingtalk).map((b) => b.markdown.text as string);
    expect(texts.length).toBeLessThanOrEqual(5);
    for (const n of names) expect([n, texts.filter((t) => t.includes(`#### 🔥 ${n}\n`)).length]).toEqual([n, 1]);
  });

  test("a warm Lambda working through 50 alerts one by one sends at most 20 messages in any minute", async () => {
    const { handler, clock } = notifier();
    const cpu = alarm("sports-db-RdsCpuHigh-critical");
    const start = clock.now();
    for (let i = 0; i < 50; i++) await handler(snsEvent("dingtalk-ops", cloudWatchMessage({ ...cpu, alarmName: `${PREFIX}-one-by-one-${i}` }, "ALARM"), null));

    // The signed timestamp is the send time on the (virtual) clock.
    const sentAt = services.dingtalk.requests.map((r) => Number(new URL(r.url, "http://robot").searchParams.get("timestamp")));
    expect(sentAt).toHaveLength(50);
    for (const t of sentAt) expect(sentAt.filter((u) => u >= t && u < t + 60_000).length).toBeLessThanOrEqual(20);
    // Waiting, not dropping: 50 messages need two full windows and a bit.
    expect(clock.now() - start).toBeGreaterThanOrEqual(120_000);
    expect(clock.now() - start).toBeLessThan(121_000);
  });

  test("errcode 130101 (too fast) is retried; another errcode is a rejection, not retried", async () => {
    const { handler } = notifier();
    const cpu = alarm("sports-db-RdsCpuHigh-critical");
    services.dingtalk.replies.push({ status: 200, body: JSON.stringify({ errcode: 130101, errmsg: "send too fast, exceed 20 times per minute" }) });
    await handler(snsEvent("dingtalk-ops", cloudWatchMessage(cpu, "ALARM"), null));
    expect(services.dingtalk.requests).toHaveLength(2);

    resetServices(services);
    services.dingtalk.replies.push({ status: 200, body: JSON.stringify({ errcode: 310000, errmsg: "sign not match" }) });
    await expect(handler(snsEvent("dingtalk-ops", cloudWatchMessage(cpu, "OK"), null))).rejects.toThrow(/dingtalk receiver dingtalk-ops: rejected \(errcode 310000 \(sign not match\)\), not retried/);
    expect(services.dingtalk.requests).toHaveLength(1);
  });
});

describe("generic webhooks", () => {
  test("AMP's Watchdog reaches the dead man's switch as an Alertmanager webhook payload", async () => {
    const { handler } = notifier();
    const watchdog = {
      status: "firing" as const,
      labels: { alertname: "Watchdog", severity: "info" },
      annotations: { summary: "Alerting pipeline heartbeat", description: "Always firing." },
      startsAt: "2026-03-01T00:00:00.000Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-3f9c/graph?g0.expr=vector%281%29&g0.tab=1",
      fingerprint: "e4b2a7c1d9f03568",
    };
    const group = ampGroup("heartbeat", [watchdog], { alertname: "Watchdog" });
    await handler(ampEvent(group, "webhook"));

    expect(services.webhook.requests.map((r) => [r.method, r.url])).toEqual([["POST", "/heartbeat/deadmanSwitchToken333"]]);
    expect(services.webhook.requests[0].headers).toMatchObject(JSON_HEADERS);
    expect(bodies(services.webhook)[0]).toEqual({
      version: "4",
      groupKey: "heartbeat:alertname=Watchdog",
      truncatedAlerts: 0,
      status: "firing",
      receiver: "heartbeat",
      groupLabels: { alertname: "Watchdog" },
      commonLabels: { alertname: "Watchdog", severity: "info" },
      commonAnnotations: { summary: "Alerting pipeline heartbeat", description: "Always firing." },
      externalURL: group.externalURL,
      alerts: [{ ...watchdog, endsAt: "0001-01-01T00:00:00.000Z" }],
    });
  });
});

describe("reliability", () => {
  const cpu = () => alarm("sports-db-RdsCpuHigh-critical");

  test("500 then 200: retried after a backoff and delivered once", async () => {
    const { handler, clock } = notifier();
    services.slack.replies.push({ status: 500, body: "internal_error" });
    await handler(snsEvent("slack-backend", cloudWatchMessage(cpu(), "ALARM"), null));

    expect(services.slack.requests).toHaveLength(2);
    expect(services.slack.requests[1].body).toBe(services.slack.requests[0].body);
    expect(clock.sleeps).toEqual([150]); // base 200 ms, half fixed + half jitter (random 0.5)
  });

  test("a timeout is retried like a 5xx", async () => {
    const { handler } = notifier({ retry: { baseDelayMs: 200, maxDelayMs: 5_000, timeoutMs: 1_000 } });
    services.webhook.replies.push({ status: 0, hang: true });
    await handler(snsEvent("heartbeat", cloudWatchMessage(cpu(), "ALARM"), null));
    expect(services.webhook.requests).toHaveLength(2);
  });

  test("429 waits as long as Retry-After asks", async () => {
    const { handler, clock } = notifier();
    services.pagerduty.replies.push({ status: 429, body: "{}", headers: { "retry-after": "3" } });
    await handler(snsEvent("pagerduty-oncall", cloudWatchMessage(cpu(), "ALARM"), null));
    expect(services.pagerduty.requests).toHaveLength(2);
    expect(clock.sleeps).toEqual([3000]);
  });

  test("400 is not retried: the invocation fails, so Lambda hands the event to the dead-letter queue", async () => {
    const { handler } = notifier();
    services.pagerduty.replies.push({ status: 400, body: JSON.stringify({ status: "invalid event", message: "Event object is invalid", errors: ["'routing_key' is invalid"] }) });
    const failure = handler(snsEvent("pagerduty-oncall", cloudWatchMessage(cpu(), "ALARM"), null));
    await expect(failure).rejects.toBeInstanceOf(DeliveryError);
    await expect(failure).rejects.toMatchObject({ transient: false, message: "1 of 1 PagerDuty event(s) failed: pagerduty receiver pagerduty-oncall: rejected (HTTP 400), not retried" });
    expect(services.pagerduty.requests).toHaveLength(1);
  });

  test("5xx until the invocation's time budget runs out: the retries stop in time and the invocation fails", async () => {
    const { handler, clock } = notifier({ retry: { attempts: 10, baseDelayMs: 1_000, maxDelayMs: 8_000, timeoutMs: 2_000 } });
    for (let i = 0; i < 10; i++) services.webhook.replies.push({ status: 503 });
    const start = clock.now();
    // 20 s left, 3 s of them kept back: retries that could not finish by then are not started.
    await expect(handler(snsEvent("heartbeat", cloudWatchMessage(cpu(), "ALARM"), null), { getRemainingTimeInMillis: () => 20_000 })).rejects.toMatchObject({
      transient: true,
      message: expect.stringMatching(/^webhook receiver heartbeat: failed after \d attempt\(s\) \(HTTP 503\)$/),
    });
    expect(clock.now() - start).toBeLessThanOrEqual(17_000 - 2_000);
    expect(services.webhook.requests.length).toBeGreaterThan(2);
    expect(services.webhook.requests.length).toBeLessThan(10);
  });

  test("a secret that is not a valid URL is a rejection that does not quote the secret", async () => {
    const clock = virtualClock();
    const { handler } = notifier({ clock, secrets: fakeSecrets({ ...exampleSecrets(services), "ssm:/monitoring/heartbeat/url": "hooks.example.com/badUrlToken444" }, clock) });
    const failure = handler(snsEvent("heartbeat", cloudWatchMessage(cpu(), "ALARM"), null));
    await expect(failure).rejects.toMatchObject({ transient: false, message: "webhook receiver heartbeat: rejected (the URL in the secret is not a valid URL), not retried" });
    expect(logged.filter((l) => l.includes("badUrlToken444"))).toEqual([]);
  });

  test("an unknown topic fails the invocation; INSUFFICIENT_DATA is not notified", async () => {
    const { handler } = notifier();
    const event = snsEvent("slack-backend", cloudWatchMessage(cpu(), "ALARM"), null);
    event.Records[0].Sns.TopicArn = "arn:aws:sns:us-east-1:333333333333:someone-elses-topic";
    await expect(handler(event)).rejects.toThrow("no receiver is configured for topic someone-elses-topic");

    const insufficient = JSON.parse(cloudWatchMessage(cpu(), "ALARM"));
    insufficient.NewStateValue = "INSUFFICIENT_DATA";
    await handler(snsEvent("slack-backend", JSON.stringify(insufficient), null));
    expect(services.slack.requests).toHaveLength(0);
  });

  test("a plain-text SNS message (a console test, a truncated AMP message) is still delivered", async () => {
    const { handler } = notifier();
    await handler(snsEvent("slack-backend", '{"version":"4","receiver":"slack-backend","status":"firing","alerts":[{"status":"fir', "[FIRING:30] HttpApiDown"));
    const message = bodies(services.slack)[0];
    expect(message.text).toBe("🔥 [FIRING:1] SnsMessage");
    expect(message.attachments[0].blocks[1].text.text).toBe('*SnsMessage* · unknown\n[FIRING:30] HttpApiDown\n{"version":"4","receiver":"slack-backend","status":"firing","alerts":[{"status":"fir');
  });
});

describe("secrets", () => {
  test("each secret is read once per TTL and shared by concurrent deliveries", async () => {
    const { handler, secrets, clock } = notifier();
    const cpu = alarm("sports-db-RdsCpuHigh-critical");
    await Promise.all([1, 2, 3].map(() => handler(snsEvent("slack-backend", cloudWatchMessage(cpu, "ALARM"), null))));
    expect(secrets.reads).toEqual(["sm:monitoring/slack/backend-alerts"]);
    await clock.sleep(5 * 60_000 + 1);
    await handler(snsEvent("slack-backend", cloudWatchMessage(cpu, "OK"), null));
    expect(secrets.reads).toEqual(["sm:monitoring/slack/backend-alerts", "sm:monitoring/slack/backend-alerts"]);
  });

  test("json_key picks one field of a JSON secret; a missing field names the secret, not its value", async () => {
    const clock = virtualClock();
    const values = { "sm:team/keys": JSON.stringify({ slack: "https://hooks.example/abc", other: "s3cr3t-value" }) };
    const secrets = fakeSecrets(values, clock);
    await expect(secrets.get({ secretsManager: "team/keys", jsonKey: "slack" })).resolves.toBe("https://hooks.example/abc");
    await expect(secrets.get({ secretsManager: "team/keys", jsonKey: "pagerduty" })).rejects.toThrow('secret team/keys has no string field "pagerduty"');
    await expect(secrets.get({ ssm: "/missing" })).rejects.toThrow("no such secret ssm:/missing");
    // Failures are not cached: the next delivery tries again.
    await expect(secrets.get({ ssm: "/missing" })).rejects.toThrow();
    expect(secrets.reads).toEqual(["sm:team/keys", "ssm:/missing", "ssm:/missing"]);
  });

  test("no secret value appears in any log line or error message of this file's deliveries", () => {
    const values = Object.values(exampleSecrets(services));
    const tokens = [...values, ...values.map((v) => new URL(v, "http://x").pathname), "dingAccessToken0123456789abcdef", "slackSecretToken", "deadmanSwitchToken", "R0UT1NGKEY"];
    expect(logged.length).toBeGreaterThan(100);
    expect(logged.some((l) => l.includes('"message":"delivered"'))).toBe(true);
    for (const line of logged) for (const t of tokens) expect([line, line.includes(t)]).toEqual([line, false]);
  });
});
