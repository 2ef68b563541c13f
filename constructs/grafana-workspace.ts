// An Amazon Managed Grafana workspace (in the AWS stack) whose own IAM role may read exactly what
// the Grafana stack's data sources query: the environment's AMP workspace and CloudWatch metrics.
import { GrafanaWorkspace as AwsGrafanaWorkspace } from "@cdktf/provider-aws/lib/grafana-workspace";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { Construct } from "constructs";

export interface GrafanaWorkspaceProps {
  name: string;
  authentication: Array<"AWS_SSO" | "SAML">;
  grafanaVersion: string;
  partition: string;
  account: string;
  ampWorkspaceArn: string;
}

export class GrafanaWorkspace extends Construct {
  readonly workspace: AwsGrafanaWorkspace;
  /** https URL of the workspace: the Grafana stack's provider talks to it. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: GrafanaWorkspaceProps) {
    super(scope, id);
    const role = new IamRole(this, "role", {
      name: `${props.name}-grafana`,
      description: `Amazon Managed Grafana workspace ${props.name}: reads AMP and CloudWatch`,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Service: "grafana.amazonaws.com" },
            Action: "sts:AssumeRole",
            // Only Grafana workspaces of this account (confused-deputy guard).
            Condition: { StringEquals: { "aws:SourceAccount": props.account } },
          },
        ],
      }),
    });
    new IamRolePolicy(this, "read", {
      role: role.name,
      name: "read-amp-and-cloudwatch",
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "QueryAmp",
            Effect: "Allow",
            Action: ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata", "aps:ListRules", "aps:ListAlerts"],
            Resource: props.ampWorkspaceArn,
          },
          {
            Sid: "ReadCloudWatchMetrics",
            Effect: "Allow",
            Action: ["cloudwatch:GetMetricData", "cloudwatch:ListMetrics", "cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmsForMetric", "cloudwatch:DescribeAlarmHistory", "tag:GetResources", "ec2:DescribeRegions"],
            Resource: "*",
          },
        ],
      }),
    });
    this.workspace = new AwsGrafanaWorkspace(this, "workspace", {
      name: props.name,
      accountAccessType: "CURRENT_ACCOUNT",
      authenticationProviders: props.authentication,
      // Our own role, scoped above, rather than the broad policies AWS attaches when it manages one.
      permissionType: "CUSTOMER_MANAGED",
      roleArn: role.arn,
      dataSources: ["PROMETHEUS", "CLOUDWATCH"],
      grafanaVersion: props.grafanaVersion,
      // The Grafana stack provisions alert rules, contact points and a notification policy.
      configuration: JSON.stringify({ unifiedAlerting: { enabled: true } }),
    });
    this.url = `https://${this.workspace.endpoint}`;
  }
}
