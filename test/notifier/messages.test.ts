// What arrives on the topics, parsed: our AMP template renders JSON that survives any text an alert
// can carry (checked with amtool, the Go template engine AMP runs), and CloudWatch's metric,
// anomaly, metric-math and composite alarm notifications become the same notification shape.
import * as yaml from "js-yaml";
import { SNS_JSON_TEMPLATE, SNS_MESSAGE_TEMPLATE, ampAlertManagerDefinition } from "../../alerts/routing";
import { consoleAlarmUrl, cloudWatchTime, parseSnsMessage } from "../../notifier/messages";
import { AlertmanagerData, REGION, cloudWatchMessage, exampleAlarms, exampleConfig, exampleModel, renderAmpTemplate, topicArnOf } from "./support";

const config = exampleConfig();
const alarms = exampleAlarms();
const alarm = (key: string) => alarms.find((a) => a.key === key)!;
const parse = (message: string, receiver = "slack-backend") =>
  parseSnsMessage({ Message: message, Subject: "s", MessageId: "m-1", Timestamp: "2026-03-01T08:00:00.000Z", TopicArn: topicArnOf(receiver) }, { receiver, alarmLabels: config.alarmLabels });

/** Text that breaks naive JSON templating: quotes, backslashes, control characters, HTML-ish and template-ish syntax, non-ASCII. */
const NASTY = [
  `it's "quoted" and 'single-quoted'`,
  `back\\slash, \\' and \\\\' and a trailing \\`,
  "new\nline, tab\t, CR\r, NUL-ish \u0001 and \u001f",
  "line separators \u2028 and \u2029",
  "<b>html</b> & a=b `code`",
  "{{ template }} ${var.x} %{ if } $$ %%",
  "中文告警：数据库连接数过高 — ünïcödé — עברית — 😀🔥",
  "",
];

function ampData(): AlertmanagerData {
  const labels = (i: number) => ({ alertname: "NastyText", severity: "warning", service: "sports-api", text: NASTY[i % NASTY.length] });
  return {
    receiver: "slack-backend",
    status: "firing",
    alerts: NASTY.map((text, i) => ({
      status: i === 3 ? "resolved" : "firing",
      labels: labels(i),
      annotations: { summary: text, description: NASTY[(i + 1) % NASTY.length], runbook_url: "https://runbooks.example.com/a?b=c&d='e'" },
      startsAt: "2026-03-01T15:58:30.512345678+08:00",
      endsAt: i === 3 ? "2026-03-01T08:10:00Z" : "0001-01-01T00:00:00Z",
      generatorURL: `https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/graph?g0.expr=up%7Bjob%3D%22a%22%7D+%3D%3D+0&i=${i}`,
      fingerprint: `f${i}`.padEnd(16, "0"),
    })),
    groupLabels: { alertname: "NastyText", service: "sports-api" },
    commonLabels: { alertname: "NastyText", service: "sports-api", severity: "warning" },
    commonAnnotations: {},
    externalURL: "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-1/alertmanager",
  };
}

describe("our AMP message template", () => {
  test("renders valid JSON that gives back every string exactly (quotes, newlines, unicode, backslashes)", () => {
    const data = ampData();
    const rendered = renderAmpTemplate(data, SNS_JSON_TEMPLATE);
    const json = JSON.parse(rendered);
    expect(json).toEqual({
      version: "4",
      receiver: "slack-backend",
      status: "firing",
      groupKey: "slack-backend:alertname=NastyText,service=sports-api",
      groupLabels: data.groupLabels,
      commonLabels: data.commonLabels,
      commonAnnotations: {},
      externalURL: data.externalURL,
      alerts: data.alerts.map((a) => ({
        ...a,
        // Times come out in UTC with milliseconds.
        startsAt: "2026-03-01T07:58:30.512Z",
        endsAt: a.status === "resolved" ? "2026-03-01T08:10:00.000Z" : "0001-01-01T00:00:00.000Z",
      })),
    });
    // The template escapes, it does not pass through: no raw control characters or line breaks.
    expect(rendered).not.toMatch(/[\u0000-\u001f\u2028\u2029]/);
  });

  test("the parsed message is the group Alertmanager had", () => {
    const data = ampData();
    const n = parse(renderAmpTemplate(data, SNS_JSON_TEMPLATE))!;
    expect(n.source).toBe("amp");
    expect(n.receiver).toBe("slack-backend");
    expect(n.alerts.map((a) => [a.status, a.labels.text, a.annotations.summary, a.fingerprint])).toEqual(data.alerts.map((a) => [a.status, a.labels.text, a.annotations.summary, a.fingerprint]));
  });

  test("notifier receivers get the JSON body, e-mail keeps the readable text", () => {
    const definition = yaml.load(ampAlertManagerDefinition(exampleModel(), { region: REGION, topicArn: topicArnOf })) as { alertmanager_config: string; template_files: Record<string, string> };
    const receivers = (yaml.load(definition.alertmanager_config) as { receivers: Array<{ name: string; sns_configs: Array<{ message: string }> }> }).receivers;
    const messages = Object.fromEntries(receivers.map((r) => [r.name, r.sns_configs[0].message]));
    expect(messages).toEqual({
      "dingtalk-ops": `{{ template "${SNS_JSON_TEMPLATE}" . }}`,
      "email-ops": `{{ template "${SNS_MESSAGE_TEMPLATE}" . }}`,
      heartbeat: `{{ template "${SNS_JSON_TEMPLATE}" . }}`,
      "pagerduty-oncall": `{{ template "${SNS_JSON_TEMPLATE}" . }}`,
      "slack-ai": `{{ template "${SNS_JSON_TEMPLATE}" . }}`,
      "slack-backend": `{{ template "${SNS_JSON_TEMPLATE}" . }}`,
    });
    expect(Object.values(definition.template_files)[0]).toContain(`define "${SNS_JSON_TEMPLATE}"`);
  });
});

describe("CloudWatch alarm notifications", () => {
  test("metric alarm: the alarm's labels from the configuration, what it watches, a link to the console", () => {
    const cpu = alarm("sports-db-RdsCpuHigh-critical");
    const n = parse(cloudWatchMessage(cpu, "ALARM"))!;
    expect(n).toMatchObject({ source: "cloudwatch", status: "firing", groupKey: `cloudwatch:arn:aws:cloudwatch:us-east-1:333333333333:alarm:${cpu.alarmName}` });
    expect(n.alerts).toHaveLength(1);
    expect(n.alerts[0]).toMatchObject({
      status: "firing",
      labels: { alertname: "RdsCpuHigh", severity: "critical", service: "sports-db", team: "backend", source: "cloudwatch" },
      annotations: { summary: cpu.description, condition: "AWS/RDS CPUUtilization (DBInstanceIdentifier=sportcoach-db) Average/60s > 90 for 5 period(s)" },
      startsAt: "2026-03-01T08:00:00.000Z",
      endsAt: "0001-01-01T00:00:00Z",
      generatorURL: `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#alarmsV2:alarm/${cpu.alarmName}`,
    });
  });

  test("OK resolves the same alert (same fingerprint), ending at the state change", () => {
    const cpu = alarm("sports-db-RdsCpuHigh-critical");
    const firing = parse(cloudWatchMessage(cpu, "ALARM"))!.alerts[0];
    const resolved = parse(cloudWatchMessage(cpu, "OK", "2026-03-01T08:20:00.000Z"))!.alerts[0];
    expect(resolved).toMatchObject({ status: "resolved", endsAt: "2026-03-01T08:20:00.000Z", fingerprint: firing.fingerprint });
  });

  test("anomaly alarm (ThresholdMetricId): the metric against its band", () => {
    const n = parse(cloudWatchMessage(alarm("sports-api-AlbRequestCountAnomaly-warning"), "ALARM"))!;
    expect(n.alerts[0].annotations.condition).toBe("AWS/ApplicationELB RequestCount (LoadBalancer=app/sportcoach-api/0123456789abcdef) Sum/300s above the band ANOMALY_DETECTION_BAND(m1, 3) for 3 period(s)");
    expect(n.alerts[0].labels.severity).toBe("warning");
  });

  test("metric-math alarm: the returned expression against the threshold", () => {
    const n = parse(cloudWatchMessage(alarm("sports-api-AlbTarget5xxRatio-critical"), "ALARM"))!;
    expect(n.alerts[0].annotations.condition).toBe("5xx ratio = IF(requests > 0, errors / requests, 0) > 0.05 for 5 period(s)");
  });

  test("composite alarm: its rule and the children that triggered it", () => {
    const n = parse(cloudWatchMessage(alarm("platform-degraded"), "ALARM", undefined, alarms))!;
    expect(n.alerts[0].annotations).toMatchObject({
      alarm_rule: 'ALARM("sports-coach-prod-api-5xx-burst") AND ALARM("sports-coach-prod-db-write-iops-ratio")',
      triggering_alarms: "sports-coach-prod-api-5xx-burst (ALARM), sports-coach-prod-db-write-iops-ratio (ALARM)",
    });
    expect(n.alerts[0].annotations.condition).toBeUndefined();
    expect(n.alerts[0].labels).toMatchObject({ alertname: "platform-degraded", severity: "critical" });
  });

  test("INSUFFICIENT_DATA is not a notification; an alarm the configuration does not know keeps its name", () => {
    const message = JSON.parse(cloudWatchMessage(alarm("sports-db-RdsCpuHigh-critical"), "ALARM"));
    expect(parse(JSON.stringify({ ...message, NewStateValue: "INSUFFICIENT_DATA" }))).toBeUndefined();
    const foreign = parse(JSON.stringify({ ...message, AlarmName: "someone-elses-alarm" }))!;
    expect(foreign.alerts[0].labels).toEqual({ alertname: "someone-elses-alarm", source: "cloudwatch" });
  });

  test("CloudWatch's +0000 times and every partition's console", () => {
    expect(cloudWatchTime("2021-02-09T14:25:13.236+0000")).toBe("2021-02-09T14:25:13.236Z");
    expect(cloudWatchTime("2021-02-09T22:25:13.236+0800")).toBe("2021-02-09T14:25:13.236Z");
    expect(consoleAlarmUrl("arn:aws-cn:cloudwatch:cn-north-1:1:alarm:a b", "a b")).toBe("https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#alarmsV2:alarm/a%20b");
    expect(consoleAlarmUrl("arn:aws-us-gov:cloudwatch:us-gov-west-1:1:alarm:a", "a")).toBe("https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#alarmsV2:alarm/a");
  });
});
