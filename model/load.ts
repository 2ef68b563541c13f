// Loading = parse, schema-check, overlay each environment, cross-check references and PromQL.
// Every problem is collected; nothing downstream runs unless the whole model is clean.
import { readFileSync } from "node:fs";
import { z } from "zod";
import { ModelError, ModelIssue, ModelPath, formatPath } from "./errors";
import { parseMatcher } from "./matchers";
import { applyOverlay, isPlainObject } from "./overlay";
import { promqlSyntaxError } from "./promql";
import { checkEnvironmentScraping, checkServiceScraping } from "./scraping-checks";
import { EnvironmentSpec, Model, ModelInput, MonitoringModel, RouteSpec, ServiceKind, SeverityName } from "./schema";
import { YamlSource, parseYaml } from "./yaml-source";

/** What the blueprints offer per kind, so overrides of unknown rule IDs are caught at load time. */
export interface BlueprintCatalog {
  rules(kind: ServiceKind): Record<string, SeverityName[]>;
  metricKeys(kind: ServiceKind): string[];
}

export interface ResolvedEnvironment {
  name: string;
  settings: EnvironmentSpec;
  /** The model with this environment's overrides applied. */
  model: MonitoringModel;
}

export interface LoadedModel {
  file: string;
  project: string;
  environments: ResolvedEnvironment[];
}

export function loadModelFile(file: string, catalog?: BlueprintCatalog): LoadedModel {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ModelError([{ file, path: [], message: `cannot read the model file: ${(e as Error).message}`, hint: "set MONITORING_MODEL to a YAML model path" }]);
  }
  const source = parseYaml(file, text);
  return resolveModel(source.value, catalog, source);
}

/** Resolves a model given as data (YAML-parsed or built in TypeScript). */
export function resolveModel(input: ModelInput | unknown, catalog?: BlueprintCatalog, source?: YamlSource): LoadedModel {
  const file = source?.file ?? "<model>";
  const issues: ModelIssue[] = [];
  const report = (path: ModelPath, message: string, hint?: string) =>
    issues.push({ file, path, line: source?.lineOf(path), message, hint });

  const base = Model.safeParse(input);
  if (!base.success) {
    zodIssues(base.error, input).forEach((i) => report(i.path, i.message, i.hint));
    throw new ModelError(dedupe(issues));
  }
  checkSemantics(base.data, [], report, catalog);
  checkGrafanaSettings(base.data.environments, report);

  const raw = input as Record<string, unknown>;
  const environments: ResolvedEnvironment[] = [];
  for (const [name, settings] of Object.entries(base.data.environments).sort(([a], [b]) => a.localeCompare(b))) {
    const patch = settings.overrides;
    if (!patch) {
      environments.push({ name, settings, model: base.data });
      continue;
    }
    const overlayPath: ModelPath = ["environments", name, "overrides"];
    const merged = applyOverlay(raw, patch);
    const parsed = Model.safeParse(merged);
    // Problems inside the overlay are reported where the overlay says them.
    const reroute = (path: ModelPath): ModelPath => (existsIn(patch, path) ? [...overlayPath, ...path] : path);
    if (!parsed.success) {
      zodIssues(parsed.error, merged).forEach((i) => report(reroute(i.path), i.message, i.hint));
      continue;
    }
    checkSemantics(parsed.data, [], (p, m, h) => report(reroute(p), m, h), catalog);
    environments.push({ name, settings, model: parsed.data });
  }
  for (const e of environments) checkEnvironmentScraping(base.data.project, e.name, e.settings, e.model, report);
  if (issues.length > 0) throw new ModelError(dedupe(issues));
  return { file, project: base.data.project, environments };
}

function zodIssues(error: z.ZodError, input: unknown): Array<{ path: ModelPath; message: string; hint?: string }> {
  const out: Array<{ path: ModelPath; message: string; hint?: string }> = [];
  for (const issue of error.issues) {
    const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: [...path, key], message: `unknown key "${key}"`, hint: "remove it or check its spelling against the README's model reference" });
      continue;
    }
    if (issue.code === "invalid_key") {
      // A bad map key (a name): the key's own rule says what was expected.
      out.push({ path, message: `bad name "${String(path[path.length - 1])}": ${issue.issues.map((i) => i.message).join("; ")}` });
      continue;
    }
    if (issue.code === "invalid_union" && "errors" in issue && path.length > 0) {
      // A union of options: say what the value may be, not every branch's complaint.
      out.push({ path, message: issue.message.replace(/^Invalid input$/, "value matches none of the allowed forms") + gotSuffix(input, path) });
      continue;
    }
    const missing = issue.code === "invalid_type" && valueAt(input, path) === undefined;
    const hint = issue.code === "invalid_type" && issue.expected === "string" && typeof valueAt(input, path) === "number" ? "quote the value in YAML" : undefined;
    out.push({ path, message: missing ? `missing required key (${issue.message.replace(/^Invalid input: /, "")})` : issue.message + gotSuffix(input, path), hint });
  }
  return out;
}

function gotSuffix(input: unknown, path: ModelPath): string {
  const v = valueAt(input, path);
  if (v === undefined || (typeof v === "object" && v !== null)) return "";
  return `; got ${JSON.stringify(v)}`;
}

function valueAt(input: unknown, path: ModelPath): unknown {
  let node = input;
  for (const seg of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return node;
}

function existsIn(patch: unknown, path: ModelPath): boolean {
  let node = patch;
  for (const seg of path) {
    if (!isPlainObject(node) && !Array.isArray(node)) return false;
    if (!(seg in (node as object))) return false;
    node = (node as Record<string | number, unknown>)[seg];
  }
  return true;
}

function dedupe(issues: ModelIssue[]): ModelIssue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const key = `${formatPath(i.path)}|${i.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

type Report = (path: ModelPath, message: string, hint?: string) => void;

function checkSemantics(model: MonitoringModel, root: ModelPath, report: Report, catalog?: BlueprintCatalog): void {
  const receivers = Object.keys(model.receivers);
  const intervals = Object.keys(model.routing.time_intervals);
  const services = Object.keys(model.services);
  const alarms = Object.keys(model.alarms);
  const known = (list: string[], what: string, path: ModelPath, name: string) => {
    if (!list.includes(name)) report(path, `unknown ${what} "${name}"`, list.length ? `defined ${what}s: ${list.join(", ")}` : `define it under the ${what}s section`);
  };
  const checkMatchers = (list: string[] | undefined, path: ModelPath) =>
    list?.forEach((m, i) => {
      try {
        parseMatcher(m);
      } catch (e) {
        report([...path, i], (e as Error).message);
      }
    });

  const routing = model.routing;
  known(receivers, "receiver", [...root, "routing", "receiver"], routing.receiver);
  known(receivers, "receiver", [...root, "routing", "heartbeat", "receiver"], routing.heartbeat.receiver);
  const walk = (routes: RouteSpec[] | undefined, path: ModelPath, depth = 1) =>
    routes?.forEach((r, i) => {
      const p = [...path, i];
      if (depth === GRAFANA_MAX_POLICY_DEPTH + 1)
        report(p, `routes nest ${depth} levels deep; Grafana notification policies nest at most ${GRAFANA_MAX_POLICY_DEPTH}`, "flatten the tree: fold a nested route's matchers into its parent's siblings");
      if (r.receiver) known(receivers, "receiver", [...p, "receiver"], r.receiver);
      checkMatchers(r.matchers, [...p, "matchers"]);
      r.mute_time_intervals?.forEach((n, j) => known(intervals, "time interval", [...p, "mute_time_intervals", j], n));
      r.active_time_intervals?.forEach((n, j) => known(intervals, "time interval", [...p, "active_time_intervals", j], n));
      walk(r.routes, [...p, "routes"], depth + 1);
    });
  walk(routing.routes, [...root, "routing", "routes"]);
  checkNotifier(model, root, report);
  routing.inhibit_rules.forEach((r, i) => {
    checkMatchers(r.source_matchers, [...root, "routing", "inhibit_rules", i, "source_matchers"]);
    checkMatchers(r.target_matchers, [...root, "routing", "inhibit_rules", i, "target_matchers"]);
  });
  for (const [name, ranges] of Object.entries(routing.time_intervals))
    ranges.forEach((r, i) => {
      if (r.location && !isTimeZone(r.location)) report([...root, "routing", "time_intervals", name, i, "location"], `unknown time zone "${r.location}"`, "use an IANA name such as Asia/Shanghai or UTC");
    });

  for (const [name, svc] of Object.entries(model.services)) {
    const p = [...root, "services", name];
    if (!catalog) continue;
    const rules = catalog.rules(svc.kind);
    for (const [id, override] of Object.entries(svc.rules)) {
      if (!(id in rules)) {
        report([...p, "rules", id], `no built-in rule or alarm "${id}" for kind ${svc.kind}`, `built-in IDs for ${svc.kind}: ${Object.keys(rules).join(", ") || "none"}`);
        continue;
      }
      if (override.severity && Object.keys(override.thresholds ?? {}).length === 0 && rules[id].length > 1)
        report([...p, "rules", id, "severity"], `rule "${id}" has several severity levels (${rules[id].join(", ")})`, "set thresholds per severity instead, e.g. thresholds: {critical: null} to drop a level");
    }
    const keys = catalog.metricKeys(svc.kind);
    for (const key of Object.keys(svc.metrics))
      if (!keys.includes(key)) report([...p, "metrics", key], `unknown metric key "${key}" for kind ${svc.kind}`, `known keys: ${keys.join(", ") || "none"}`);
  }

  checkServiceScraping(model, root, report);

  const builtinIds = new Set(catalog ? Object.values(model.services).flatMap((s) => Object.keys(catalog.rules(s.kind))) : []);
  for (const [name, alert] of Object.entries(model.alerts)) {
    const p = [...root, "alerts", name];
    if (alert.service) known(services, "service", [...p, "service"], alert.service);
    if (builtinIds.has(name)) report(p, `alert name "${name}" is already used by a built-in rule`, "choose another name, or override the built-in rule under services.<name>.rules");
    const err = promqlSyntaxError(alert.expr);
    if (err) report([...p, "expr"], err, "check brackets, quotes and operators; try it in the Prometheus UI");
    if ("severity" in alert.labels) report([...p, "labels", "severity"], "severity is set by the alert's severity field", "remove labels.severity");
  }

  for (const [name, alarm] of Object.entries(model.alarms)) {
    const p = [...root, "alarms", name];
    if (alarm.service) known(services, "service", [...p, "service"], alarm.service);
    const forms = [alarm.metric, alarm.metrics, alarm.composite].filter((f) => f !== undefined).length;
    if (forms !== 1) {
      report(p, "expected exactly one of metric, metrics (metric math) or composite", "an anomaly alarm is metric + anomaly_band");
      continue;
    }
    if (alarm.metric && !alarm.metric.statistic === !alarm.metric.extended_statistic)
      report([...p, "metric"], "expected exactly one of statistic or extended_statistic");
    if (alarm.metrics) {
      if (alarm.metrics.filter((m) => m.return_data === true).length !== 1) report([...p, "metrics"], "expected exactly one query with return_data: true (the alarm's value)");
      alarm.metrics.forEach((m, i) => {
        if (!m.expression === !m.metric) report([...p, "metrics", i], "expected exactly one of expression or metric");
      });
    }
    if (alarm.anomaly_band !== undefined) {
      if (!alarm.metric) report([...p, "anomaly_band"], "anomaly detection needs a single metric");
      if (!alarm.comparison.includes("Upper") && !alarm.comparison.includes("Lower"))
        report([...p, "comparison"], "anomaly alarms compare against a band", "use LessThanLowerOrGreaterThanUpperThreshold, GreaterThanUpperThreshold or LessThanLowerThreshold");
    } else if (!alarm.composite && alarm.threshold === undefined) report([...p, "threshold"], "missing required key (a number)", "or give anomaly_band for an anomaly-detection alarm");
    if (alarm.composite) {
      const refs = [...alarm.composite.rule.matchAll(/\b(?:ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")\s]+)"?\s*\)/g)].map((m) => m[1]);
      if (refs.length === 0) report([...p, "composite", "rule"], 'expected a rule over other alarms, such as ALARM("api-5xx") OR ALARM("api-latency")');
      refs.forEach((r) => {
        if (r === name) report([...p, "composite", "rule"], "a composite alarm cannot refer to itself");
        else known(alarms, "alarm", [...p, "composite", "rule"], r);
      });
    }
  }

  for (const [name, dash] of Object.entries(model.dashboards))
    dash.panels.forEach((panel, i) =>
      panel.queries.forEach((q, j) => {
        const err = promqlSyntaxError(q.expr);
        if (err) report([...root, "dashboards", name, "panels", i, "queries", j, "expr"], err);
      }),
    );
}

/** The grafana provider's notification policy block nests `policy` five levels below the root. */
export const GRAFANA_MAX_POLICY_DEPTH = 5;

function checkGrafanaSettings(environments: Record<string, EnvironmentSpec>, report: Report): void {
  const orgs = new Map<string, string>();
  for (const [name, env] of Object.entries(environments).sort(([a], [b]) => a.localeCompare(b))) {
    const grafana = env.grafana;
    if (!grafana) continue;
    const p: ModelPath = ["environments", name, "grafana"];
    if (grafana.url && grafana.managed_workspace) report([...p, "url"], "a managed workspace brings its own URL", "remove url, or managed_workspace to use an existing Grafana");
    if (!grafana.url) continue;
    // One notification policy per org replaces the whole tree, and contact point names are unique per org.
    const org = `${grafana.url.replace(/\/+$/, "")} org ${grafana.org_id ?? 1}`;
    const other = orgs.get(org);
    if (other) report([...p, "url"], `environments ${other} and ${name} share the Grafana org ${org}: each would replace the other's notification policy tree`, "give each environment its own Grafana org (org_id) or instance");
    else orgs.set(org, name);
  }
}

/** Receivers other than e-mail are delivered by the notifier; its alarms need an e-mail receiver to report to. */
function checkNotifier(model: MonitoringModel, root: ModelPath, report: Report): void {
  const names = Object.keys(model.receivers).sort();
  const emails = names.filter((r) => model.receivers[r].type === "email");
  const hint = emails.length ? `e-mail receivers: ${emails.join(", ")}` : "add an e-mail receiver (type: email) for it";
  if (!model.notifier) {
    const delivered = names.filter((r) => model.receivers[r].type !== "email");
    if (delivered.length)
      report([...root, "notifier"], `missing notifier.fallback_receiver: ${delivered.join(", ")} are delivered by the notifier, whose own alarms need an e-mail receiver`, `${hint}, e.g. notifier: { fallback_receiver: ${emails[0] ?? "ops-email"} }`);
    return;
  }
  const p = [...root, "notifier", "fallback_receiver"];
  const fallback = model.notifier.fallback_receiver;
  const spec = model.receivers[fallback];
  if (!spec) report(p, `unknown receiver "${fallback}"`, hint);
  else if (spec.type !== "email") report(p, `the fallback receiver must be an e-mail receiver; "${fallback}" is ${spec.type}, delivered by the very notifier whose failures it would report`, hint);
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
