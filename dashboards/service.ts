// One dashboard per service, from its blueprint: the kind's rows of rule and context panels, the
// model's own alerts on the service, and its CloudWatch alarms, each with the alert's thresholds.
import { AlarmDefinition } from "../alerts/alarms";
import { BlueprintRule, Comparison, ServiceContext, sel } from "../alerts/blueprint";
import { BLUEPRINTS } from "../alerts/blueprints";
import { formatValue } from "../alerts/format";
import { Level, blueprintAlertRules, resolveLevels, serviceContext } from "../alerts/rules";
import { AlertRuleSpec, ServiceSpec } from "../model/schema";
import { DashboardContext, alertListLink, baseTags, dashboardUid, environmentVariable, serviceDashboardKey } from "./context";
import { KIND_LAYOUTS, KindPanel } from "./kinds";
import { splitComparison } from "./promql-split";
import { CloudWatchQuery, DashboardSpecIR, Link, PanelSpec, PromQuery } from "./spec";
import { GRAFANA_UNITS, thresholdSteps } from "./thresholds";

const PANEL_HEIGHT = 8;

const amp = (q: Omit<PromQuery, "datasource">): PromQuery => ({ datasource: "amp", ...q });

/** "warning > 1s, critical > 2s": what the alert rule says, for the panel's description. */
function levelsText(levels: Level[], comparison: Comparison, unit: string): string {
  return levels.map((l) => `${l.severity} ${comparison} ${formatValue(l.threshold, unit)}`).join(", ");
}

/** A blueprint rule's panel: the exact PromQL its alert compares, with the thresholds after overrides. */
export function rulePanel(name: string, svc: ServiceSpec, rule: BlueprintRule, layout: KindPanel, key = rule.id): PanelSpec | undefined {
  const ctx = serviceContext(name, svc);
  const override = svc.rules[rule.id];
  const levels = resolveLevels(rule.thresholds, override);
  // Disabled for this service: it does not watch the signal (often it does not even export it).
  if (levels.length === 0) return undefined;
  const runbook = blueprintAlertRules(name, svc, rule)[0].annotations?.runbook_url;
  const links: Link[] = [
    ...(runbook ? [{ title: `Runbook: ${rule.id}`, url: runbook }] : []),
    alertListLink(`Alert rule ${rule.id}`, { rule: rule.id, labels: { service: name } }),
  ];
  return {
    key,
    title: layout.title,
    type: layout.type ?? "timeseries",
    unit: layout.unit ?? GRAFANA_UNITS[rule.unit],
    description: `Alert ${rule.id}: ${levelsText(levels, rule.comparison, rule.unit)} for ${override?.for ?? rule.for}.`,
    width: layout.width,
    height: PANEL_HEIGHT,
    queries: [amp({ expr: rule.value(ctx), legend: layout.legend ?? layout.title }), ...(layout.queries?.(ctx) ?? []).map(amp)],
    thresholds: thresholdSteps(levels, rule.comparison),
    links,
  };
}

function contextPanel(ctx: ServiceContext, layout: KindPanel): PanelSpec {
  return {
    key: `context:${layout.title}`,
    title: layout.title,
    type: layout.type ?? "timeseries",
    unit: layout.unit,
    width: layout.width,
    height: PANEL_HEIGHT,
    queries: (layout.queries?.(ctx) ?? []).map(amp),
  };
}

/** A model alert's panel: `value > threshold` plots the value with the threshold; otherwise the expression itself. */
export function alertPanel(alertName: string, alert: AlertRuleSpec, width: number, height: number): PanelSpec {
  const expr = alert.expr.trim();
  const split = splitComparison(expr);
  const queries = split
    ? [amp({ expr: split.value, legend: "value" }), ...(split.reference ? [amp({ expr: split.reference, legend: "alert threshold" })] : [])]
    : [amp({ expr, legend: "firing series" })];
  return {
    key: `alert:${alertName}`,
    title: alertName,
    type: "timeseries",
    description: `${alert.severity}: ${alert.summary}`,
    width,
    height,
    queries,
    thresholds: split?.threshold !== undefined ? thresholdSteps([{ severity: alert.severity, threshold: split.threshold }], split.comparison) : undefined,
    links: [...(alert.runbook_url ? [{ title: `Runbook: ${alertName}`, url: alert.runbook_url }] : []), alertListLink(`Alert rule ${alertName}`, { rule: alertName })],
  };
}

const cloudWatchComparison = (operator?: string): Comparison | undefined =>
  operator === "GreaterThanThreshold" || operator === "GreaterThanOrEqualToThreshold" ? ">" : operator === "LessThanThreshold" || operator === "LessThanOrEqualToThreshold" ? "<" : undefined;

function cloudWatchQueries(a: AlarmDefinition): CloudWatchQuery[] {
  const metric = (id: string, m: NonNullable<AlarmDefinition["metric"]>, hidden: boolean): CloudWatchQuery => ({
    datasource: "cloudwatch",
    id,
    namespace: m.namespace,
    metricName: m.metricName,
    dimensions: m.dimensions,
    statistic: m.statistic ?? m.extendedStatistic,
    period: m.period,
    hidden,
  });
  if (a.metric) return [metric("m1", a.metric, false)];
  return (a.queries ?? []).map((q) =>
    q.metric ? { ...metric(q.id, q.metric, !q.returnData), label: q.label } : { datasource: "cloudwatch", id: q.id, expression: q.expression, label: q.label, hidden: !q.returnData },
  );
}

/** One panel per CloudWatch alarm (all its severities), with the alarm's queries and thresholds. */
export function alarmPanels(svc: ServiceSpec, service: string, alarms: AlarmDefinition[]): PanelSpec[] {
  const groups = new Map<string, { title: string; defs: AlarmDefinition[] }>();
  for (const a of alarms) {
    if (a.compositeRule) continue;
    const alertname = a.labels.alertname;
    // Blueprint alarm keys are service-id-severity[-resource]; the resource part names the instance.
    const base = `${service}-${alertname}-${a.severity}-`;
    const resource = a.key.startsWith(base) ? a.key.slice(base.length) : "";
    const key = resource ? `${alertname}:${resource}` : alertname;
    const group = groups.get(key) ?? { title: resource ? `${alertname} ${resource}` : alertname, defs: [] };
    group.defs.push(a);
    groups.set(key, group);
  }
  return [...groups.keys()].sort().map((key) => {
    const { title, defs } = groups.get(key)!;
    const blueprintAlarm = BLUEPRINTS[svc.kind].alarms.find((b) => b.id === defs[0].labels.alertname);
    const comparison = cloudWatchComparison(defs[0].comparison);
    const levels = defs.filter((d) => d.threshold !== undefined && !d.thresholdMetricId).map((d) => ({ severity: d.severity, threshold: d.threshold! }));
    return {
      key: `alarm:${key}`,
      title,
      type: "timeseries",
      description: blueprintAlarm?.description ?? defs[0].description,
      unit: blueprintAlarm && GRAFANA_UNITS[blueprintAlarm.unit],
      width: 12,
      height: PANEL_HEIGHT,
      queries: cloudWatchQueries(defs[0]),
      thresholds: comparison ? thresholdSteps(levels, comparison) : undefined,
      links: [alertListLink(`Alarm ${defs[0].labels.alertname}`, { labels: { alertname: defs[0].labels.alertname, service } })],
    };
  });
}

/** What the model says about one service besides its blueprint: its own alerts (sorted names) and CloudWatch alarms. */
export interface ServiceRelated {
  alerts: string[];
  alarms: AlarmDefinition[];
}

export function serviceDashboard(c: DashboardContext, name: string, related: ServiceRelated): DashboardSpecIR {
  const svc = c.model.services[name];
  const ctx = serviceContext(name, svc);
  const rules = new Map(BLUEPRINTS[svc.kind].rules.map((r) => [r.id, r]));
  const kindRows = KIND_LAYOUTS[svc.kind].rows.map((row) => ({
    title: row.title,
    panels: row.panels.flatMap((p) => {
      if (!p.rule) return [contextPanel(ctx, p)];
      const rule = rules.get(p.rule);
      if (!rule) throw new Error(`the ${svc.kind} layout shows rule ${p.rule}, which its blueprint does not have`);
      return rulePanel(name, svc, rule, p) ?? [];
    }),
  }));
  // A rule the kind's layout does not place still gets its panel: no alert goes without one.
  const placed = new Set(KIND_LAYOUTS[svc.kind].rows.flatMap((r) => r.panels.map((p) => p.rule)));
  const unplaced = [...rules.values()].filter((r) => !placed.has(r.id)).flatMap((r) => rulePanel(name, svc, r, { title: r.id, width: 12 }) ?? []);
  const alerts = related.alerts.map((a) => alertPanel(a, c.model.alerts[a], 12, PANEL_HEIGHT));
  const alarms = alarmPanels(svc, name, related.alarms);
  return {
    key: serviceDashboardKey(name),
    uid: dashboardUid(c, serviceDashboardKey(name)),
    title: `${name} (${c.environment})`,
    description: svc.description,
    folder: svc.team,
    tags: [...baseTags(c), svc.kind, svc.team],
    variables: [
      environmentVariable(c),
      { kind: "constant", name: "service", value: name },
      { kind: "query", name: "instance", label: "Instance", query: `label_values(${sel(ctx, "up")}, instance)` },
    ],
    links: [
      { title: `${c.project} ${c.environment} dashboards`, tags: baseTags(c) },
      ...(svc.runbook_base_url ? [{ title: "Runbooks", url: svc.runbook_base_url }] : []),
      alertListLink(`Alert rules of ${name}`, { labels: { service: name } }),
    ],
    rows: [...kindRows, { title: "More alert rules", panels: unplaced }, { title: "Model alerts", panels: alerts }, { title: "CloudWatch alarms", panels: alarms }],
  };
}
