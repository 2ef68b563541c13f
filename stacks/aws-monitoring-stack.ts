// One environment's AWS side: notification topics, CloudWatch alarms and the AMP workspace.
// Only the aws provider lives here, so `terraform validate`/`plan` run with just its binary.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LocalBackend, S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { buildAlarms } from "../alerts/alarms";
import { packNamespaces } from "../alerts/namespaces";
import { ampAlertManagerDefinition } from "../alerts/routing";
import { buildRuleGroups } from "../alerts/rules";
import { AmpWorkspace } from "../constructs/amp-workspace";
import { CloudWatchAlarms } from "../constructs/cloudwatch-alarms";
import { NotificationTopics, topicArn, topicName } from "../constructs/notification-topics";
import { ResolvedEnvironment } from "../model/load";

export interface AwsMonitoringStackProps {
  project: string;
  environment: ResolvedEnvironment;
}

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

export function awsStackName(project: string, env: string): string {
  return `${project}-${env}-aws`;
}

export class AwsMonitoringStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: AwsMonitoringStackProps) {
    super(scope, id);
    const { model, settings, name: env } = props.environment;
    const prefix = `${props.project}-${env}`;
    const account = { partition: partitionOf(settings.region), region: settings.region, account: settings.account };

    new AwsProvider(this, "aws", {
      region: settings.region,
      allowedAccountIds: [settings.account],
      defaultTags: [{ tags: { project: props.project, environment: env, "managed-by": "monitoring-stack", ...settings.tags } }],
    });
    if (settings.backend) {
      const s3 = settings.backend.s3;
      new S3Backend(this, {
        bucket: s3.bucket,
        key: s3.key ?? `${props.project}/${env}/aws.tfstate`,
        region: s3.region ?? settings.region,
        encrypt: true,
        dynamodbTable: s3.dynamodb_table,
      });
      // Terraform ≥1.10 locks with a lock object in the bucket; cdktf 0.21 has no typed field for it.
      if (!s3.dynamodb_table) this.addOverride("terraform.backend.s3.use_lockfile", true);
    } else new LocalBackend(this, { path: `terraform.${id}.tfstate` });

    const receivers = Object.keys(model.receivers).sort();
    const topics = new NotificationTopics(this, "notifications", {
      namePrefix: prefix,
      ...account,
      receivers: receivers.map((r) => {
        const spec = model.receivers[r];
        return { name: r, type: spec.type, emailAddresses: spec.type === "email" ? spec.to : undefined };
      }),
    });

    const alarms = buildAlarms(model, prefix);
    new CloudWatchAlarms(this, "alarms", {
      alarms,
      topicArns: Object.fromEntries(receivers.map((r) => [r, topics.arn(r)])),
      publishPermissions: topics.publishPermissions,
    });

    const amp = new AmpWorkspace(this, "amp", {
      alias: settings.amp.alias ?? prefix,
      preventDestroy: settings.amp.prevent_destroy,
      logRetentionDays: settings.amp.log_retention_days,
      ruleNamespaces: packNamespaces(buildRuleGroups(model), settings.amp.namespace_max_bytes),
      alertManagerDefinition: ampAlertManagerDefinition(model, {
        region: settings.region,
        topicArn: (r) => topicArn(account, topicName(prefix, r)),
      }),
      alertManagerDependsOn: receivers.map((r) => topics.publishPermissions[r]),
    });

    new TerraformOutput(this, "amp_workspace_id", { value: amp.workspace.id });
    new TerraformOutput(this, "amp_workspace_arn", { value: amp.workspace.arn });
    new TerraformOutput(this, "amp_prometheus_endpoint", { value: amp.workspace.prometheusEndpoint });
    new TerraformOutput(this, "sns_topic_arns", { value: Object.fromEntries(receivers.map((r) => [r, topics.arn(r)])) });
    new TerraformOutput(this, "alarm_count", { value: alarms.length });
  }
}
