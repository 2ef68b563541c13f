// A Grafana-managed rule group. Every alerting rule must name its `condition` (the refId whose
// result decides firing): the provider's schema leaves it optional because recording rules have none.
import { RuleGroup } from "../.gen/providers/grafana/rule-group";
import { Construct } from "constructs";
import { terraformLiteral, terraformLiteralValues } from "./terraform-literal";

export interface GrafanaRuleQuery {
  refId: string;
  /** A data source uid, or "__expr__" for Grafana's server-side expressions (reduce, threshold, math). */
  datasourceUid: string;
  model: Record<string, unknown>;
  /** Seconds back from now the query looks (data source queries only). */
  lookbackSeconds?: number;
}

export interface GrafanaAlertRuleSpec {
  name: string;
  condition: string;
  data: GrafanaRuleQuery[];
  for: string;
  noDataState: "Alerting" | "NoData" | "OK";
  execErrState: "Alerting" | "Error" | "OK";
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface GrafanaRuleGroupProps {
  name: string;
  folderUid: string;
  intervalSeconds: number;
  rules: GrafanaAlertRuleSpec[];
}

export const EXPRESSION_DATASOURCE = "__expr__";

export class GrafanaRuleGroup extends Construct {
  readonly group: RuleGroup;

  constructor(scope: Construct, id: string, props: GrafanaRuleGroupProps) {
    super(scope, id);
    for (const rule of props.rules)
      if (!rule.data.some((d) => d.refId === rule.condition))
        throw new Error(`rule ${rule.name}: condition ${rule.condition} is none of its queries (${rule.data.map((d) => d.refId).join(", ")})`);
    this.group = new RuleGroup(this, "group", {
      name: props.name,
      folderUid: props.folderUid,
      intervalSeconds: props.intervalSeconds,
      rule: props.rules.map((rule) => ({
        name: rule.name,
        condition: rule.condition,
        for: rule.for,
        noDataState: rule.noDataState,
        execErrState: rule.execErrState,
        labels: terraformLiteralValues(rule.labels),
        annotations: terraformLiteralValues(rule.annotations),
        data: rule.data.map((d) => ({
          refId: d.refId,
          datasourceUid: d.datasourceUid,
          model: terraformLiteral(JSON.stringify({ refId: d.refId, ...d.model })),
          relativeTimeRange: { from: d.lookbackSeconds ?? 0, to: 0 },
        })),
      })),
    });
  }
}
