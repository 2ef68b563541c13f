// Pure alert generation: thresholds, overrides, naming, formatting and namespace packing.
import { buildAlarms } from "../../alerts/alarms";
import { formatNumber, formatValue } from "../../alerts/format";
import { AMP_NAMESPACE_MAX_BYTES, packNamespaces, ruleFile } from "../../alerts/namespaces";
import { RuleGroup, WATCHDOG, buildRuleGroups, resolveLevels } from "../../alerts/rules";
import { EXAMPLES, loadExample } from "../support";

const envModel = (name: string) => loadExample(EXAMPLES.sportsCoach).environments.find((e) => e.name === name)!.model;
const alertRules = (groups: RuleGroup[]) => groups.flatMap((g) => g.rules.filter((r) => r.alert));

describe("numbers", () => {
  test.each([
    [0.1 + 0.2, "0.3"],
    [1 - 0.999, "0.001"],
    [0.0009999999999999432, "0.001"],
    [80, "80"],
    [1e-7, "1e-7"],
    [2.5, "2.5"],
  ])("%p prints as %s", (n, text) => expect(formatNumber(n)).toBe(text));

  test("units read naturally", () => {
    expect(formatValue(0.05, "ratio")).toBe("5%");
    expect(formatValue(0.07, "ratio")).toBe("7%");
    expect(formatValue(1.5, "seconds")).toBe("1.5s");
  });
});

describe("severity levels and overrides", () => {
  test("an override merges into the defaults; null drops a level", () => {
    expect(resolveLevels({ warning: 1, critical: 2 }, { thresholds: { warning: 0.8 } })).toEqual([
      { severity: "critical", threshold: 2 },
      { severity: "warning", threshold: 0.8 },
    ]);
    expect(resolveLevels({ warning: 1, critical: 2 }, { thresholds: { critical: null } })).toEqual([{ severity: "warning", threshold: 1 }]);
    expect(resolveLevels({ warning: 1 }, { severity: "critical" })).toEqual([{ severity: "critical", threshold: 1 }]);
    expect(resolveLevels({ warning: 1 }, { disabled: true })).toEqual([]);
  });

  test("the example's default p95 thresholds are 1s warning and 2s critical, prod tightens warning to 0.8s", () => {
    const p95 = (env: string) =>
      alertRules(buildRuleGroups(envModel(env)))
        .filter((r) => r.alert === "HttpApiHighLatencyP95" && r.labels?.service === "sports-api")
        .map((r) => `${r.labels!.severity} ${r.expr.split(" > ").pop()}`)
        .sort();
    expect(p95("staging")).toEqual(["critical 2", "warning 1"]);
    expect(p95("prod")).toEqual(["critical 2", "warning 0.8"]);
    expect(p95("dev")).toEqual(["critical 5", "warning 2"]);
  });

  test("every alert is mixin-style: CamelCase, severity, summary, description; runbook where known", () => {
    for (const env of ["dev", "prod"]) {
      const rules = alertRules(buildRuleGroups(envModel(env)));
      expect(rules.length).toBeGreaterThan(50);
      for (const r of rules) {
        expect(r.alert).toMatch(/^[A-Z][A-Za-z0-9]*$/);
        expect(["critical", "warning", "info"]).toContain(r.labels?.severity);
        expect(r.annotations?.summary).toBeTruthy();
        expect(r.annotations?.description).toBeTruthy();
        expect(r.expr).not.toMatch(/\d\.\d*0000000|9999999/);
      }
      expect(rules.filter((r) => r.labels?.service === "sports-api").every((r) => r.annotations?.runbook_url?.startsWith("https://"))).toBe(true);
    }
  });

  test("a Watchdog alert always fires, at info, for the heartbeat only", () => {
    const watchdog = alertRules(buildRuleGroups(envModel("prod"))).filter((r) => r.alert === WATCHDOG);
    expect(watchdog).toHaveLength(1);
    expect(watchdog[0].expr).toBe("vector(1)");
    expect(watchdog[0].labels?.severity).toBe("info");
  });

  test("disabling a built-in rule removes it and only it", () => {
    const model = envModel("prod");
    const before = alertRules(buildRuleGroups(model));
    const svc = model.services["sports-api"];
    const disabled = { ...model, services: { ...model.services, "sports-api": { ...svc, rules: { ...svc.rules, HttpApiHigh4xxRate: { disabled: true } } } } };
    const after = alertRules(buildRuleGroups(disabled));
    const removed = before.filter((r) => !after.some((a) => JSON.stringify(a) === JSON.stringify(r)));
    expect(removed.map((r) => `${r.alert}/${r.labels?.service}`)).toEqual(
      before.filter((r) => r.alert === "HttpApiHigh4xxRate" && r.labels?.service === "sports-api").map((r) => `${r.alert}/${r.labels?.service}`),
    );
    expect(removed.length).toBeGreaterThan(0);
  });
});

test("a client limit given as a number replaces the exporter's maxclients series (ElastiCache)", () => {
  const rules = alertRules(buildRuleGroups(envModel("prod"))).filter((r) => r.alert === "RedisTooManyConnections");
  expect(rules.length).toBeGreaterThan(0);
  for (const r of rules) expect(r.expr).toMatch(/^max\(redis_connected_clients\{job="redis-exporter"\}\) \/ 65000 > /);
});

describe("CloudWatch alarms", () => {
  test("keys come from model names and are unique; actions follow the routing tree", () => {
    const alarms = buildAlarms(envModel("prod"), "sports-coach-prod");
    expect(new Set(alarms.map((a) => a.key)).size).toBe(alarms.length);
    expect(alarms.every((a) => a.alarmName.startsWith("sports-coach-prod-"))).toBe(true);
    const critical = alarms.filter((a) => a.severity === "critical" && a.labels.team === "backend");
    expect(critical.length).toBeGreaterThan(0);
    for (const a of critical) expect(a.receivers).toEqual(["pagerduty-oncall", "dingtalk-ops", "slack-backend"]);
    expect(alarms.some((a) => a.thresholdMetricId)).toBe(true);
    expect(alarms.some((a) => a.compositeRule)).toBe(true);
    expect(alarms.some((a) => a.queries && !a.thresholdMetricId)).toBe(true);
  });
});

describe("rule namespaces", () => {
  // Synthetic groups of a known size to exercise the splitting.
  const group = (team: string, i: number, rules: number): RuleGroup => ({
    name: `${team}-svc-${String(i).padStart(3, "0")}`,
    team,
    rules: Array.from({ length: rules }, (_, j) => ({ record: `svc:metric_${j}:rate5m`, expr: `sum(rate(metric_${j}_total{job="${team}-${i}"}[5m]))` })),
  });

  test("one namespace per team while it fits", () => {
    const ns = packNamespaces(buildRuleGroups(envModel("prod")));
    expect(ns.map((n) => n.name)).toEqual(["ai", "backend", "business", "meta", "platform"].filter((t) => ns.some((n) => n.name === t)));
    for (const n of ns) expect(Buffer.byteLength(n.data)).toBeLessThan(AMP_NAMESPACE_MAX_BYTES);
  });

  test("a team over the quota is split into parts under it, losing and duplicating no group", () => {
    const groups = Array.from({ length: 40 }, (_, i) => group("big", i, 20));
    const max = 20_000;
    const ns = packNamespaces(groups, max);
    expect(ns.length).toBeGreaterThan(1);
    expect(ns[0].name).toBe("big");
    expect(ns.slice(1).map((n) => n.name)).toEqual(ns.slice(1).map((_, i) => `big-${i + 2}`));
    for (const n of ns) expect(Buffer.byteLength(n.data)).toBeLessThanOrEqual(max);
    const names = ns.flatMap((n) => [...n.data.matchAll(/^ {2}- name: (\S+)$/gm)].map((m) => m[1]));
    expect(names.sort()).toEqual(groups.map((g) => g.name).sort());
    // Exact accounting: the split is as tight as the byte sizes allow.
    expect(Buffer.byteLength(ns[0].data) + Buffer.byteLength(ruleFile([groups[ns[0].data.match(/- name: /g)!.length]])) - 8).toBeGreaterThan(max);
  });

  test("a single group over the quota is a clear error", () => {
    expect(() => packNamespaces([group("huge", 0, 2000)], 10_000)).toThrow(/rule group "huge-svc-000" alone is \d+ bytes/);
  });
});
