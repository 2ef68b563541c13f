// Model → Prometheus rule groups: blueprint rules with overrides applied, explicit alerts, Watchdog.
import { promqlSyntaxError } from "../model/promql";
import { MonitoringModel, RuleOverrideSpec, SEVERITIES, ServiceSpec, SeverityName } from "../model/schema";
import { Blueprint, BlueprintRule, ServiceContext } from "./blueprint";
import { BLUEPRINTS } from "./blueprints";
import { formatNumber, formatValue } from "./format";

export interface PromRule {
  record?: string;
  alert?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  /** Owner team: rule namespaces are cut per team. */
  team: string;
  rules: PromRule[];
}

export interface Level {
  severity: SeverityName;
  threshold: number;
}

export const WATCHDOG = "Watchdog";
export const META_TEAM = "meta";

/** Severity levels of a built-in rule after the model's override: merged, nulls dropped, ordered. */
export function resolveLevels(defaults: Partial<Record<SeverityName, number>>, override?: RuleOverrideSpec): Level[] {
  if (override?.disabled) return [];
  const merged: Partial<Record<SeverityName, number | null>> = { ...defaults, ...(override?.thresholds ?? {}) };
  let levels = SEVERITIES.filter((s) => merged[s] !== undefined && merged[s] !== null).map((s) => ({ severity: s, threshold: merged[s] as number }));
  if (override?.severity && levels.length === 1) levels = [{ severity: override.severity, threshold: levels[0].threshold }];
  return levels;
}

export function serviceContext(name: string, svc: ServiceSpec): ServiceContext {
  const blueprint = BLUEPRINTS[svc.kind];
  return {
    name,
    team: svc.team,
    selector: Object.keys(svc.selector)
      .sort()
      .map((k) => `${k}=${JSON.stringify(svc.selector[k])}`)
      .join(","),
    metric: (key) => {
      const m = svc.metrics[key] ?? blueprint.metrics[key];
      if (m === undefined) throw new Error(`blueprint ${svc.kind} has no metric key "${key}"`);
      return m;
    },
    cloudwatch: svc.cloudwatch ?? {},
  };
}

export function sortedLabels(labels: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

/** The alerting rules of one built-in rule for one service (one per severity level). */
export function blueprintAlertRules(name: string, svc: ServiceSpec, rule: BlueprintRule): PromRule[] {
  const ctx = serviceContext(name, svc);
  const override = svc.rules[rule.id];
  const runbook = override?.runbook_url ?? (svc.runbook_base_url ? `${svc.runbook_base_url.replace(/\/$/, "")}/${kebab(rule.id)}` : undefined);
  return resolveLevels(rule.thresholds, override).map(({ severity, threshold }) => ({
    alert: rule.id,
    expr: `${rule.value(ctx)} ${rule.comparison} ${formatNumber(threshold)}`,
    ...forField(override?.for ?? rule.for),
    labels: sortedLabels({ ...svc.labels, ...(override?.labels ?? {}), severity, service: name, team: svc.team }),
    annotations: {
      summary: rule.summary,
      description: `${rule.description} Threshold (${severity}): ${rule.comparison} ${formatValue(threshold, rule.unit)}.`,
      ...(runbook ? { runbook_url: runbook } : {}),
    },
  }));
}

export function buildRuleGroups(model: MonitoringModel): RuleGroup[] {
  const groups = new Map<string, RuleGroup>();
  for (const name of Object.keys(model.services).sort()) {
    const svc = model.services[name];
    const blueprint: Blueprint = BLUEPRINTS[svc.kind];
    const ctx = serviceContext(name, svc);
    const rules: PromRule[] = blueprint.recordings.map((r) => ({ record: r.record, expr: r.expr(ctx), labels: { service: name } }));
    for (const rule of blueprint.rules) rules.push(...blueprintAlertRules(name, svc, rule));
    groups.set(name, { name, team: svc.team, rules });
  }
  for (const alertName of Object.keys(model.alerts).sort()) {
    const a = model.alerts[alertName];
    const svc = a.service ? model.services[a.service] : undefined;
    const team = a.team ?? svc?.team ?? META_TEAM;
    const groupName = a.service ?? `${team}-alerts`;
    const group = groups.get(groupName) ?? { name: groupName, team, rules: [] };
    groups.set(groupName, group);
    group.rules.push({
      alert: alertName,
      expr: a.expr.trim(),
      ...forField(a.for),
      labels: sortedLabels({ ...a.labels, severity: a.severity, team, ...(a.service ? { service: a.service } : {}) }),
      annotations: { summary: a.summary, description: a.description, ...(a.runbook_url ? { runbook_url: a.runbook_url } : {}) },
    });
  }
  groups.set(WATCHDOG.toLowerCase(), {
    name: WATCHDOG.toLowerCase(),
    team: META_TEAM,
    rules: [
      {
        alert: WATCHDOG,
        expr: "vector(1)",
        labels: { severity: "info" },
        annotations: {
          summary: "Alerting pipeline heartbeat",
          description: "Always firing. If the heartbeat receiver stops getting this alert, rule evaluation or notification delivery is broken.",
        },
      },
    ],
  });
  const out = [...groups.values()].sort((a, b) => a.name.localeCompare(b.name));
  for (const g of out)
    for (const r of g.rules) {
      const err = promqlSyntaxError(r.expr);
      if (err) throw new Error(`generated rule ${r.alert ?? r.record} in group ${g.name}: ${err}: ${r.expr}`);
    }
  return out;
}

function forField(duration: string | undefined): { for?: string } {
  return duration && duration !== "0s" ? { for: duration } : {};
}

function kebab(id: string): string {
  return id.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
}
