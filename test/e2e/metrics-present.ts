// Which series the generated rules and dashboards read for a service: every vector selector
// (metric name and label matchers, as written) in its blueprint's rules and recordings and in its
// dashboard's AMP queries, parsed with Prometheus' own PromQL grammar.
import { parser } from "@prometheus-io/lezer-promql";
import { buildAlarms } from "../../alerts/alarms";
import { BLUEPRINTS } from "../../alerts/blueprints";
import { serviceContext } from "../../alerts/rules";
import { dashboardSpecs } from "../../dashboards";
import { serviceDashboardKey } from "../../dashboards/context";
import { DashboardSpecIR } from "../../dashboards/spec";
import { MonitoringModel } from "../../model/schema";

export interface SelectorUse {
  /** Metric name the selector reads. */
  metric: string;
  /** The selector as written, e.g. pg_up{job="postgres-exporter"}. */
  selector: string;
  /** Where it is used: rule ID, recording or dashboard panel. */
  usedBy: string;
}

/** Names written by recording rules: series the rules make themselves, not scraped ones. */
const RECORDED = new Set(Object.values(BLUEPRINTS).flatMap((b) => b.recordings.map((r) => r.record)));

export function vectorSelectors(expr: string): Array<{ metric: string; selector: string }> {
  const out: Array<{ metric: string; selector: string }> = [];
  parser.parse(expr).iterate({
    enter(node) {
      if (node.name !== "VectorSelector") return true;
      const selector = expr.slice(node.from, node.to);
      const id = node.node.getChild("Identifier");
      const metric = id ? expr.slice(id.from, id.to) : /__name__\s*=\s*"([^"]+)"/.exec(selector)?.[1];
      if (!metric) throw new Error(`selector without a metric name: ${selector}`);
      out.push({ metric, selector });
      return false;
    },
  });
  return out;
}

/** Grafana variables in dashboard queries, given the values that select everything. */
function withVariables(expr: string, dashboard: DashboardSpecIR): string {
  let out = expr.replace(/\$__(rate_interval|interval|range)\b/g, "5m");
  for (const v of dashboard.variables) out = out.replaceAll(`$${v.name}`, v.kind === "constant" ? v.value : ".*");
  return out;
}

/** Every selector one service's rules, recordings and dashboard read (blueprint rules regardless of overrides). */
export function selectorsOf(model: MonitoringModel, service: string, c: { project: string; environment: string }): SelectorUse[] {
  const svc = model.services[service];
  const ctx = serviceContext(service, svc);
  const blueprint = BLUEPRINTS[svc.kind];
  const exprs = [
    ...blueprint.rules.map((r) => ({ usedBy: `rule ${r.id}`, expr: r.value(ctx) })),
    ...blueprint.recordings.map((r) => ({ usedBy: `recording ${r.record}`, expr: r.expr(ctx) })),
  ];
  const dashboards = dashboardSpecs({ ...c, model, alarms: buildAlarms(model, `${c.project}-${c.environment}`) });
  const dashboard = dashboards.find((d) => d.key === serviceDashboardKey(service));
  for (const panel of dashboard?.rows.flatMap((r) => r.panels) ?? [])
    for (const q of panel.queries) if (q.datasource === "amp") exprs.push({ usedBy: `dashboard panel "${panel.title}"`, expr: withVariables(q.expr, dashboard!) });
  const seen = new Set<string>();
  return exprs
    .flatMap(({ usedBy, expr }) => vectorSelectors(expr).map((s) => ({ ...s, usedBy })))
    .filter((s) => !RECORDED.has(s.metric))
    .filter((s) => !seen.has(s.selector) && seen.add(s.selector));
}
