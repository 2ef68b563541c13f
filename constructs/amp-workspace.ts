// An AMP workspace with logging, rule group namespaces and an alert manager definition.
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { PrometheusAlertManagerDefinition } from "@cdktf/provider-aws/lib/prometheus-alert-manager-definition";
import { PrometheusRuleGroupNamespace } from "@cdktf/provider-aws/lib/prometheus-rule-group-namespace";
import { PrometheusWorkspace } from "@cdktf/provider-aws/lib/prometheus-workspace";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { terraformLiteral } from "./terraform-literal";

/** Rule files and the definition are plain text: `${`/`%{` in them are escaped for Terraform. */

export interface AmpWorkspaceProps {
  alias: string;
  /** The workspace holds the metrics history: protect it unless the owner opts out. */
  preventDestroy: boolean;
  logRetentionDays: number;
  ruleNamespaces: Array<{ name: string; data: string }>;
  alertManagerDefinition: string;
  /** What the alert manager needs first (its SNS topics and their policies). */
  alertManagerDependsOn?: ITerraformDependable[];
}

export class AmpWorkspace extends Construct {
  readonly workspace: PrometheusWorkspace;

  constructor(scope: Construct, id: string, props: AmpWorkspaceProps) {
    super(scope, id);
    const logs = new CloudwatchLogGroup(this, "logs", {
      name: `/aws/vendedlogs/prometheus/${props.alias}`,
      retentionInDays: props.logRetentionDays,
    });
    this.workspace = new PrometheusWorkspace(this, "workspace", {
      alias: props.alias,
      loggingConfiguration: { logGroupArn: `${logs.arn}:*` },
      lifecycle: { preventDestroy: props.preventDestroy },
    });
    for (const ns of props.ruleNamespaces)
      new PrometheusRuleGroupNamespace(this, `rules-${ns.name}`, { name: ns.name, workspaceId: this.workspace.id, data: terraformLiteral(ns.data) });
    new PrometheusAlertManagerDefinition(this, "alertmanager", {
      workspaceId: this.workspace.id,
      definition: terraformLiteral(props.alertManagerDefinition),
      dependsOn: props.alertManagerDependsOn,
    });
  }
}
