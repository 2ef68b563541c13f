// The constructs on their own, without the model: what a team reusing them in its own app gets.
import { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { PrometheusAlertManagerDefinition } from "@cdktf/provider-aws/lib/prometheus-alert-manager-definition";
import { PrometheusRuleGroupNamespace } from "@cdktf/provider-aws/lib/prometheus-rule-group-namespace";
import { PrometheusWorkspace } from "@cdktf/provider-aws/lib/prometheus-workspace";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { Testing } from "cdktf";
import { AlarmDefinition } from "../../alerts/alarms";
import { AmpWorkspace } from "../../constructs/amp-workspace";
import { terraformLiteral } from "../../constructs/terraform-literal";
import { CloudWatchAlarms } from "../../constructs/cloudwatch-alarms";
import { NotificationTopics } from "../../constructs/notification-topics";

const ACCOUNT = { account: "123456789012", region: "eu-central-1", partition: "aws" };

function parsed(synth: string): any {
  return JSON.parse(synth);
}

describe("NotificationTopics", () => {
  const synth = Testing.synthScope((scope) => {
    new NotificationTopics(scope, "topics", {
      namePrefix: "shop-prod",
      ...ACCOUNT,
      receivers: [
        { name: "oncall", type: "pagerduty" },
        { name: "ops-mail", type: "email", emailAddresses: ["b@example.com", "a@example.com"] },
      ],
    });
  });

  test("one encrypted topic per receiver, named after it", () => {
    expect(synth).toHaveResourceWithProperties(SnsTopic, { name: "shop-prod-oncall", tags: { receiver: "oncall", receiver_type: "pagerduty" } });
    expect(synth).toHaveResourceWithProperties(SnsTopic, { name: "shop-prod-ops-mail" });
    const topics = Object.values(parsed(synth).resource.aws_sns_topic) as any[];
    expect(topics).toHaveLength(2);
    for (const t of topics) expect(t.kms_master_key_id).toMatch(/^\$\{aws_kms_key\..*\.arn\}$/);
    expect(synth).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
  });

  test("topic policies let only this account's CloudWatch alarms and AMP workspaces publish", () => {
    const policies = Object.values(parsed(synth).resource[SnsTopicPolicy.tfResourceType]) as any[];
    expect(policies).toHaveLength(2);
    const doc = JSON.parse(policies[0].policy);
    const services = doc.Statement.filter((s: any) => s.Principal.Service);
    expect(services.map((s: any) => s.Principal.Service).sort()).toEqual(["aps.amazonaws.com", "cloudwatch.amazonaws.com"]);
    for (const s of services) {
      expect(s.Action).toBe("sns:Publish");
      expect(s.Condition.StringEquals["aws:SourceAccount"]).toBe("123456789012");
      expect(s.Condition.ArnLike["aws:SourceArn"]).toMatch(/^arn:aws:(cloudwatch|aps):eu-central-1:123456789012:/);
    }
    // The KMS key must let the same publishers use it, or encrypted topics reject their messages.
    const key = JSON.parse((Object.values(parsed(synth).resource.aws_kms_key)[0] as any).policy);
    expect(key.Statement.map((s: any) => s.Principal.Service).filter(Boolean).sort()).toEqual(["aps.amazonaws.com", "cloudwatch.amazonaws.com"]);
  });

  test("e-mail receivers subscribe natively, one subscription per address", () => {
    expect(synth).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: "a@example.com" });
    expect(synth).toHaveResourceWithProperties(SnsTopicSubscription, { protocol: "email", endpoint: "b@example.com" });
    expect(Object.keys(parsed(synth).resource.aws_sns_topic_subscription)).toHaveLength(2);
  });
});

describe("CloudWatchAlarms", () => {
  const base = { description: "d", severity: "critical" as const, receivers: ["oncall"], labels: { severity: "critical", service: "api" } };
  const alarms: AlarmDefinition[] = [
    {
      ...base,
      key: "api-errors",
      alarmName: "shop-api-errors",
      metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: { LoadBalancer: "app/shop/1" }, statistic: "Sum", period: 60 },
      comparison: "GreaterThanThreshold",
      threshold: 10,
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
    },
    {
      ...base,
      key: "api-anomaly",
      alarmName: "shop-api-anomaly",
      queries: [
        { id: "m1", metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: { LoadBalancer: "app/shop/1" }, statistic: "Sum", period: 300 }, returnData: true },
        { id: "band", expression: "ANOMALY_DETECTION_BAND(m1, 3)", returnData: true },
      ],
      thresholdMetricId: "band",
      comparison: "LessThanLowerOrGreaterThanUpperThreshold",
      evaluationPeriods: 2,
    },
    { ...base, key: "degraded", alarmName: "shop-degraded", compositeRule: 'ALARM("api-errors") AND ALARM(api-anomaly)' },
  ];
  const synth = Testing.synthScope((scope) => {
    new CloudWatchAlarms(scope, "alarms", { alarms, topicArns: { oncall: "arn:aws:sns:eu-central-1:123456789012:oncall" } });
  });

  test("static alarms notify the receivers' topics on ALARM and OK", () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, {
      alarm_name: "shop-api-errors",
      threshold: 10,
      alarm_actions: ["arn:aws:sns:eu-central-1:123456789012:oncall"],
      ok_actions: ["arn:aws:sns:eu-central-1:123456789012:oncall"],
      treat_missing_data: "notBreaching",
    });
  });

  test("anomaly alarms compare against the band, with no static threshold", () => {
    const alarm = Object.values(parsed(synth).resource.aws_cloudwatch_metric_alarm).find((a: any) => a.alarm_name === "shop-api-anomaly") as any;
    expect(alarm.threshold_metric_id).toBe("band");
    expect(alarm.threshold).toBeUndefined();
    expect(alarm.metric_query.map((q: any) => q.id)).toEqual(["m1", "band"]);
  });

  test("composite alarms refer to the other alarms' resources, so Terraform orders them", () => {
    expect(synth).toHaveResourceWithProperties(CloudwatchCompositeAlarm, {
      alarm_name: "shop-degraded",
      alarm_rule: expect.stringMatching(/^ALARM\("\$\{aws_cloudwatch_metric_alarm\.[^}]+\.alarm_name\}"\) AND ALARM\("\$\{aws_cloudwatch_metric_alarm\.[^}]+\.alarm_name\}"\)$/),
    });
  });

  test("a composite over an unknown alarm is a construction error", () => {
    expect(() =>
      Testing.synthScope((scope) => new CloudWatchAlarms(scope, "a", { alarms: [{ ...base, key: "c", alarmName: "c", compositeRule: 'ALARM("nope")' }], topicArns: { oncall: "arn" } })),
    ).toThrow(/unknown alarm nope/);
  });
});

describe("AmpWorkspace", () => {
  const props = {
    alias: "shop-prod",
    preventDestroy: true,
    logRetentionDays: 30,
    ruleNamespaces: [{ name: "web", data: "groups: []\n" }],
    alertManagerDefinition: 'alertmanager_config: "cost ${{ $value }}"\n',
  };
  const synth = Testing.synthScope((scope) => {
    new AmpWorkspace(scope, "amp", props);
  });

  test("workspace is protected from destroy and logs to a vended log group", () => {
    const ws = Object.values(parsed(synth).resource[PrometheusWorkspace.tfResourceType])[0] as any;
    expect(ws.alias).toBe("shop-prod");
    expect(ws.lifecycle.prevent_destroy).toBe(true);
    expect(ws.logging_configuration.log_group_arn).toMatch(/^\$\{aws_cloudwatch_log_group\..*\.arn\}:\*$/);
    expect(synth).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/vendedlogs/prometheus/shop-prod", retention_in_days: 30 });
  });

  test("the model can opt out of prevent_destroy", () => {
    const s = Testing.synthScope((scope) => new AmpWorkspace(scope, "amp", { ...props, preventDestroy: false }));
    expect((Object.values(parsed(s).resource[PrometheusWorkspace.tfResourceType])[0] as any).lifecycle.prevent_destroy).toBe(false);
  });

  test("rule namespaces and the definition are escaped for Terraform's template syntax", () => {
    expect(synth).toHaveResourceWithProperties(PrometheusRuleGroupNamespace, { name: "web", data: "groups: []\n" });
    expect(synth).toHaveResourceWithProperties(PrometheusAlertManagerDefinition, { definition: 'alertmanager_config: "cost $${{ $value }}"\n' });
    expect(terraformLiteral("a ${b} %{c} $d")).toBe("a $${b} %%{c} $d");
  });
});
