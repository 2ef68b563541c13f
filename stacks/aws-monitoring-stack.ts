// One environment's AWS side: notification topics, the notifier, CloudWatch alarms and the AMP workspace.
// Only the aws provider lives here, so `terraform validate`/`plan` run with just its binary.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { buildAlarms } from "../alerts/alarms";
import { packNamespaces } from "../alerts/namespaces";
import { ampAlertManagerDefinition } from "../alerts/routing";
import { buildRuleGroups } from "../alerts/rules";
import { AmpScraper } from "../constructs/amp-scraper";
import { AmpWorkspace } from "../constructs/amp-workspace";
import { CloudWatchAlarms } from "../constructs/cloudwatch-alarms";
import { GrafanaWorkspace } from "../constructs/grafana-workspace";
import { NotificationTopics, topicArn, topicName } from "../constructs/notification-topics";
import { Notifier } from "../constructs/notifier";
import { notifierConfig, notifierReceivers, secretVariables, variableSecretName } from "../constructs/notifier-config";
import { PrometheusAgentRole } from "../constructs/prometheus-agent-role";
import { terraformLiteralValues } from "../constructs/terraform-literal";
import { ResolvedEnvironment } from "../model/load";
import { PROMETHEUS_AGENT_NAME, prometheusAgentRoleName } from "../model/scraping-checks";
import { AMP_COLLECTOR_KUBERNETES_USER, eksClusterName, managedCollectorConfiguration } from "../scraping/scrape-configs";
import { awsStateKey, environmentBackend } from "./environment-state";

export interface AwsMonitoringStackProps {
  project: string;
  environment: ResolvedEnvironment;
}

export function partitionOf(region: string): string {
  if (region.startsWith("cn-")) return "aws-cn";
  if (region.startsWith("us-gov-")) return "aws-us-gov";
  return "aws";
}

export const GRAFANA_WORKSPACE_URL_OUTPUT = "grafana_workspace_url";

export class AwsMonitoringStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: AwsMonitoringStackProps) {
    super(scope, id);
    const { model, settings, name: env } = props.environment;
    const prefix = `${props.project}-${env}`;
    const account = { partition: partitionOf(settings.region), region: settings.region, account: settings.account };

    new AwsProvider(this, "aws", {
      region: settings.region,
      allowedAccountIds: [settings.account],
      defaultTags: [{ tags: terraformLiteralValues({ project: props.project, environment: env, "managed-by": "monitoring-stack", ...settings.tags }) }],
    });
    environmentBackend(this, settings, awsStateKey(props.project, env, settings.backend?.s3), id);

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

    // Everything but e-mail reaches people through the notifier; its own alarms go to e-mail.
    const delivered = notifierReceivers(model);
    if (delivered.length > 0) {
      if (!model.notifier) throw new Error(`receivers ${delivered.join(", ")} need notifier.fallback_receiver (load the model with resolveModel to validate it)`);
      const fallback = model.notifier.fallback_receiver;
      new Notifier(this, "notifier", {
        namePrefix: prefix,
        ...account,
        config: notifierConfig(model, { namePrefix: prefix, topicName: (r) => topicName(prefix, r), alarms }),
        topicArns: Object.fromEntries(delivered.map((r) => [r, topics.arn(r)])),
        variableSecrets: secretVariables(model).map((variable) => ({ variable, secretName: variableSecretName(prefix, variable) })),
        logRetentionDays: model.notifier.log_retention_days,
        fallbackTopicArn: topics.arn(fallback),
        fallbackPublishPermission: topics.publishPermissions[fallback],
      });
    }

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

    // Metrics into the workspace: the managed collector scrapes EKS, or an agent in the cluster writes as this role.
    const scraping = settings.scraping;
    if (scraping?.mode === "managed-collector" && scraping.eks) {
      // The collector tags its destination workspace; declaring the tag keeps Terraform from removing it.
      amp.workspace.tags = { AMPAgentlessScraper: "" };
      new AmpScraper(this, "amp-scraper", {
        alias: prefix,
        workspaceArn: amp.workspace.arn,
        eks: { clusterArn: scraping.eks.cluster_arn, clusterName: eksClusterName(scraping.eks.cluster_arn), subnetIds: scraping.eks.subnet_ids, securityGroupIds: scraping.eks.security_group_ids },
        scrapeConfiguration: managedCollectorConfiguration(model, scraping),
        kubernetesUser: AMP_COLLECTOR_KUBERNETES_USER,
      });
    }
    if (scraping?.mode === "prometheus-agent" && scraping.agent)
      new PrometheusAgentRole(this, "prometheus-agent", {
        roleName: prometheusAgentRoleName(props.project, env),
        oidcProviderArn: scraping.agent.oidc_provider_arn,
        serviceAccount: { namespace: scraping.kubernetes.namespace, name: PROMETHEUS_AGENT_NAME },
        workspaceArn: amp.workspace.arn,
      });

    // Opt-in Amazon Managed Grafana; the Grafana stack reads its URL from this stack's state.
    const managedGrafana = settings.grafana?.managed_workspace;
    if (managedGrafana) {
      const grafana = new GrafanaWorkspace(this, "grafana", {
        name: prefix,
        authentication: managedGrafana.authentication,
        grafanaVersion: managedGrafana.grafana_version,
        partition: account.partition,
        account: settings.account,
        ampWorkspaceArn: amp.workspace.arn,
      });
      new TerraformOutput(this, GRAFANA_WORKSPACE_URL_OUTPUT, { value: grafana.url });
    }

    new TerraformOutput(this, "amp_workspace_id", { value: amp.workspace.id });
    new TerraformOutput(this, "amp_workspace_arn", { value: amp.workspace.arn });
    new TerraformOutput(this, "amp_prometheus_endpoint", { value: amp.workspace.prometheusEndpoint });
    new TerraformOutput(this, "sns_topic_arns", { value: Object.fromEntries(receivers.map((r) => [r, topics.arn(r)])) });
    new TerraformOutput(this, "alarm_count", { value: alarms.length });
  }
}
