// The per-environment AWS stack composed from the example model.
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { PrometheusAlertManagerDefinition } from "@cdktf/provider-aws/lib/prometheus-alert-manager-definition";
import { PrometheusRuleGroupNamespace } from "@cdktf/provider-aws/lib/prometheus-rule-group-namespace";
import { Testing } from "cdktf";
import * as yaml from "js-yaml";
import { buildAlarms } from "../../alerts/alarms";
import { AwsMonitoringStack, partitionOf } from "../../stacks/aws-monitoring-stack";
import { awsStackName } from "../../stacks/environment-state";
import { EXAMPLES, loadExample } from "../support";

const loaded = loadExample(EXAMPLES.sportsCoach);
const synthEnv = (name: string) => {
  const environment = loaded.environments.find((e) => e.name === name)!;
  const stack = new AwsMonitoringStack(Testing.app(), awsStackName(loaded.project, name), { project: loaded.project, environment });
  return { synth: Testing.synth(stack), json: JSON.parse(Testing.synth(stack)), environment };
};
const prod = synthEnv("prod");

test("only the aws provider, pinned to the environment's account and region, with default tags", () => {
  expect(Object.keys(prod.json.provider)).toEqual(["aws"]);
  const aws = prod.json.provider.aws[0];
  expect(aws.region).toBe("us-east-1");
  expect(aws.allowed_account_ids).toEqual(["333333333333"]);
  expect(aws.default_tags[0].tags).toMatchObject({ project: "sports-coach", environment: "prod", "managed-by": "monitoring-stack", compliance: "internal" });
});

test("state lives in the backend the model names: S3 with DynamoDB or lockfile locking, else local", () => {
  expect(prod.json.terraform.backend.s3).toMatchObject({ bucket: "sports-coach-terraform-state-prod", key: "sports-coach/prod/aws.tfstate", encrypt: true, dynamodb_table: "sports-coach-terraform-locks" });
  const staging = synthEnv("staging").json.terraform.backend.s3;
  expect(staging).toMatchObject({ bucket: "sports-coach-terraform-state-staging", use_lockfile: true });
  expect(staging.dynamodb_table).toBeUndefined();
  expect(Object.keys(synthEnv("dev").json.terraform.backend)).toEqual(["local"]);
});

test("one alarm resource per generated alarm, each notifying topics of this stack", () => {
  const alarms = buildAlarms(prod.environment.model, "sports-coach-prod");
  // The notifier's own alarms (errors, throttles, dead letters) are test/constructs/notifier.test.ts's.
  const metric = (Object.values(prod.json.resource.aws_cloudwatch_metric_alarm) as any[]).filter((a) => !a.alarm_name.startsWith("sports-coach-prod-notifier-"));
  const composite = Object.values(prod.json.resource.aws_cloudwatch_composite_alarm) as any[];
  expect(metric.length + composite.length).toBe(alarms.length);
  for (const a of [...metric, ...composite]) {
    expect(a.alarm_actions.length).toBeGreaterThan(0);
    for (const action of [...a.alarm_actions, ...a.ok_actions]) expect(action).toMatch(/^\$\{aws_sns_topic\.[^}]+\.arn\}$/);
  }
  expect(prod.synth).toHaveResourceWithProperties(CloudwatchMetricAlarm, { threshold_metric_id: "band" });
});

test("AMP gets the rule namespaces and an alert manager definition publishing to this stack's topics", () => {
  expect(prod.synth).toHaveResourceWithProperties(PrometheusRuleGroupNamespace, { name: "backend" });
  const definition = (Object.values(prod.json.resource[PrometheusAlertManagerDefinition.tfResourceType])[0] as any).definition;
  const config = yaml.load((yaml.load(definition.replace(/\$\$\{/g, "${")) as any).alertmanager_config) as any;
  const topicNames = (Object.values(prod.json.resource.aws_sns_topic) as any[]).map((t) => t.name).sort();
  const arns = config.receivers.map((r: any) => r.sns_configs[0].topic_arn).sort();
  expect(arns).toEqual(topicNames.map((n: string) => `arn:aws:sns:us-east-1:333333333333:${n}`));
  expect((Object.values(prod.json.resource[PrometheusAlertManagerDefinition.tfResourceType])[0] as any).depends_on.length).toBeGreaterThan(0);
});

test("outputs for later stacks: workspace id and endpoint, topic ARNs", () => {
  expect(Object.keys(prod.json.output).sort()).toEqual(["alarm_count", "amp_prometheus_endpoint", "amp_workspace_arn", "amp_workspace_id", "sns_topic_arns"]);
});

test("dev opts out of prevent_destroy; prod keeps it", () => {
  const ws = (j: any) => (Object.values(j.resource.aws_prometheus_workspace)[0] as any).lifecycle.prevent_destroy;
  expect(ws(prod.json)).toBe(true);
  expect(ws(synthEnv("dev").json)).toBe(false);
});

test("partitions follow the region", () => {
  expect(partitionOf("cn-north-1")).toBe("aws-cn");
  expect(partitionOf("us-gov-west-1")).toBe("aws-us-gov");
  expect(partitionOf("eu-west-1")).toBe("aws");
});

test("environment tags reach the provider's default tags as literal text, even with ${", () => {
  const environment = loaded.environments.find((e) => e.name === "prod")!;
  const tagged = { ...environment, settings: { ...environment.settings, tags: { note: "cost ${team}" } } };
  const json = JSON.parse(Testing.synth(new AwsMonitoringStack(Testing.app(), "tags", { project: loaded.project, environment: tagged })));
  expect(json.provider.aws[0].default_tags[0].tags.note).toBe("cost $${team}");
});
