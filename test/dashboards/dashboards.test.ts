// The generated dashboards of every environment of both examples: queries parse, data sources
// exist, ids are unique and stable, panels do not overlap, thresholds are the alerts' own numbers,
// and the same model always gives the same JSON.
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { buildAlarms } from "../../alerts/alarms";
import { BLUEPRINTS, blueprintCatalog } from "../../alerts/blueprints";
import { formatNumber } from "../../alerts/format";
import { buildRuleGroups, serviceContext } from "../../alerts/rules";
import { buildDashboards, dashboardSpecs } from "../../dashboards";
import { DashboardContext } from "../../dashboards/context";
import { GRID_COLUMNS } from "../../dashboards/layout";
import { renderLayoutSvg } from "../../dashboards/layout-svg";
import { DataSourceRefs } from "../../dashboards/render";
import { OK_COLOR, SEVERITY_COLORS, nextUp } from "../../dashboards/thresholds";
import { LoadedModel, loadModelFile } from "../../model/load";
import { promqlSyntaxError } from "../../model/promql";
import { grafanaDataSourceRefs } from "../../stacks/grafana-stack";
import { EXAMPLES, loadExample, tempDir } from "../support";

const contextOf = (loaded: LoadedModel, env: string): DashboardContext => {
  const e = loaded.environments.find((x) => x.name === env)!;
  return { project: loaded.project, environment: env, model: e.model, alarms: buildAlarms(e.model, `${loaded.project}-${env}`) };
};
const build = (loaded: LoadedModel, env: string) => buildDashboards(contextOf(loaded, env), grafanaDataSourceRefs(loaded.project, env));
const panelsOf = (json: any): any[] => (json.panels ?? []).filter((p: any) => p.type !== "row");

const examples = Object.entries(EXAMPLES).map(([name, file]) => [name, loadExample(file)] as const);
const environments = examples.flatMap(([name, loaded]) => loaded.environments.map((e) => [`${name} ${e.name}`, loaded, e.name] as const));

describe.each(environments)("%s", (_label, loaded, env) => {
  const refs: DataSourceRefs = grafanaDataSourceRefs(loaded.project, env);
  const dashboards = build(loaded, env);

  test("an overview, one dashboard per service and every model dashboard", () => {
    const model = contextOf(loaded, env).model;
    expect(dashboards.map((d) => d.key).sort()).toEqual(
      ["overview", ...Object.keys(model.services).map((s) => `svc-${s}`), ...Object.keys(model.dashboards).map((d) => `dash-${d}`)].sort(),
    );
  });

  test("every Prometheus query parses as PromQL; every CloudWatch query is a metric or an expression over its panel's ids", () => {
    let checked = 0;
    for (const d of dashboards)
      for (const p of panelsOf(d.json))
        for (const t of p.targets) {
          if (p.datasource.type === "prometheus") {
            expect([d.key, p.title, t.expr, promqlSyntaxError(t.expr)]).toEqual([d.key, p.title, t.expr, null]);
            checked++;
          } else if (t.expression) {
            const ids = p.targets.map((x: any) => x.id);
            for (const ref of t.expression.match(/\b[a-z][a-zA-Z0-9_]*\b/g).filter((w: string) => !/^(IF|ANOMALY_DETECTION_BAND)$/i.test(w)))
              expect([p.title, ref, ids.includes(ref)]).toEqual([p.title, ref, true]);
          } else expect([p.title, typeof t.namespace, typeof t.metricName, typeof t.statistic]).toEqual([p.title, "string", "string", "string"]);
        }
    expect(checked).toBeGreaterThan(50);
  });

  test("every panel and query variable uses a data source the stack creates", () => {
    const known = Object.values(refs).map((r) => JSON.stringify(r));
    for (const d of dashboards) {
      for (const p of panelsOf(d.json)) {
        expect([d.key, p.title, known.includes(JSON.stringify(p.datasource))]).toEqual([d.key, p.title, true]);
        for (const t of p.targets) expect(t.datasource).toEqual(p.datasource);
      }
      for (const v of d.json.templating?.list ?? []) if (v.datasource) expect(known).toContain(JSON.stringify(v.datasource));
    }
  });

  test("panel ids are unique in each dashboard; uids are unique and fit Grafana's 40 characters", () => {
    for (const d of dashboards) {
      const ids = (d.json.panels ?? []).map((p: any) => p.id);
      expect(new Set(ids).size).toBe(ids.length);
      for (const id of ids) expect(Number.isInteger(id) && id > 0).toBe(true);
    }
    const uids = dashboards.map((d) => d.json.uid!);
    expect(new Set(uids).size).toBe(uids.length);
    for (const uid of uids) expect(uid).toMatch(/^[a-z0-9_-]{1,40}$/);
  });

  test("panels lie inside the 24-column grid and never overlap", () => {
    for (const d of dashboards) {
      const boxes = (d.json.panels ?? []).map((p: any) => ({ title: p.title, ...p.gridPos }));
      for (const b of boxes) expect([b.title, b.x >= 0 && b.w > 0 && b.h > 0 && b.x + b.w <= GRID_COLUMNS]).toEqual([b.title, true]);
      for (let i = 0; i < boxes.length; i++)
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
          expect([d.key, a.title, b.title, overlap]).toEqual([d.key, a.title, b.title, false]);
        }
    }
  });

  test("every blueprint alert has a panel plotting its own PromQL, with a colour change at each of its thresholds", () => {
    const c = contextOf(loaded, env);
    const alerts = buildRuleGroups(c.model).flatMap((g) => g.rules.filter((r) => r.alert));
    let compared = 0;
    for (const spec of dashboardSpecs(c).filter((s) => s.key.startsWith("svc-")))
      for (const panel of spec.rows.flatMap((r) => r.panels)) {
        const rules = alerts.filter((a) => a.alert === panel.key && a.labels?.service === spec.key.slice(4));
        if (rules.length === 0) continue;
        for (const rule of rules) {
          const severity = rule.labels!.severity as keyof typeof SEVERITY_COLORS;
          const m = / ([<>]) (\S+)$/.exec(rule.expr)!;
          const threshold = Number(m[2]);
          // The alert is `<panel's first query> <comparison> <threshold>`, character for character.
          expect(rule.expr).toBe(`${(panel.queries[0] as { expr: string }).expr} ${m[1]} ${formatNumber(threshold)}`);
          const step = panel.thresholds!.find((s) => s.value === (m[1] === ">" ? nextUp(threshold) : threshold));
          expect([panel.key, severity, threshold, step !== undefined]).toEqual([panel.key, severity, threshold, true]);
          compared++;
        }
        expect(panel.thresholds!.length).toBe(new Set(rules.map((r) => r.expr.split(" ").pop())).size + 1);
      }
    expect(compared).toBeGreaterThan(20);
    // And no blueprint alert of a service goes without its panel.
    for (const spec of dashboardSpecs(c).filter((s) => s.key.startsWith("svc-"))) {
      const service = spec.key.slice(4);
      const keys = new Set(spec.rows.flatMap((r) => r.panels.map((p) => p.key)));
      const blueprintRules = new Set(BLUEPRINTS[c.model.services[service].kind].rules.map((r) => r.id));
      for (const a of alerts.filter((x) => x.labels?.service === service && blueprintRules.has(x.alert!))) expect([service, a.alert, keys.has(a.alert!)]).toEqual([service, a.alert, true]);
    }
  });
});

describe("sports-coach specifics", () => {
  const loaded = loadExample(EXAMPLES.sportsCoach);
  const cache = new Map<string, Record<string, any>>();
  const byKey = (env: string) => {
    if (!cache.has(env)) cache.set(env, Object.fromEntries(build(loaded, env).map((d) => [d.key, d.json as any])));
    return cache.get(env)!;
  };
  const panel = (json: any, title: string) => panelsOf(json).find((p) => p.title === title);

  test("per-environment thresholds: prod's p95 warning at 0.8s, dev's at 2s (critical 5s), colours green → orange → red", () => {
    const steps = (env: string) => panel(byKey(env)["svc-sports-api"], "Latency p50 and p95").fieldConfig.defaults.thresholds.steps;
    expect(steps("prod")).toEqual([
      { value: null, color: OK_COLOR },
      { value: nextUp(0.8), color: SEVERITY_COLORS.warning },
      { value: nextUp(2), color: SEVERITY_COLORS.critical },
    ]);
    expect(steps("dev").map((s: any) => s.value)).toEqual([null, nextUp(2), nextUp(5)]);
  });

  test("renamed metrics flow into panels (millisecond histogram, status_code label)", () => {
    const api = byKey("prod")["svc-sports-api"];
    expect(panel(api, "Latency p50 and p95").targets[1].expr).toBe(
      'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_ms_bucket{job="sportcoach-api"}[5m]))) * 0.001',
    );
    expect(panel(api, "Requests per second by status").targets[0].expr).toBe('sum by (status_code) (rate(http_requests_total{job="sportcoach-api",instance=~"$instance"}[5m]))');
    const svc = serviceContext("ai-chatbot", loaded.environments[0].model.services["ai-chatbot"]);
    expect(panel(byKey("prod")["svc-ai-chatbot"], "Tokens per hour").targets[0].expr).toContain(`service="${svc.name}"`);
  });

  test("a rule the service disables has no panel; lower-is-worse rules go red below their thresholds", () => {
    expect(panel(byKey("prod")["svc-sports-db"], "Replication lag")).toBeUndefined();
    expect(panel(byKey("prod")["svc-ai-matching"], "Tokens per hour")).toBeUndefined();
    expect(panel(byKey("prod")["svc-sports-api"], "Instances up").fieldConfig.defaults.thresholds.steps).toEqual([
      { value: null, color: SEVERITY_COLORS.critical },
      { value: 0.5, color: SEVERITY_COLORS.warning },
      { value: 1, color: OK_COLOR },
    ]);
  });

  test("a model dashboard's panel with comparison '<' is coloured where low values are bad", () => {
    expect(panel(byKey("prod")["dash-business-overview"], "Booking conversion").fieldConfig.defaults.thresholds.steps).toEqual([
      { value: null, color: SEVERITY_COLORS.warning },
      { value: 0.02, color: OK_COLOR },
    ]);
  });

  test("model alerts become panels of value and threshold; CloudWatch alarms panels with the alarms' thresholds", () => {
    const reco = panel(byKey("prod")["svc-ai-recommendation"], "RecommendationSatisfactionLow");
    expect(reco.targets.map((t: any) => t.expr)).toEqual(['avg(ai_recommendation_satisfaction_rating{job="ai-recommendation"})']);
    expect(reco.fieldConfig.defaults.thresholds.steps).toEqual([{ value: null, color: SEVERITY_COLORS.warning }, { value: 3.5, color: OK_COLOR }]);
    const dropped = panel(byKey("prod").overview, "ActiveUsersDropped");
    expect(dropped.targets.map((t: any) => t.legendFormat)).toEqual(["value", "alert threshold"]);
    const alb = panel(byKey("prod")["svc-sports-api"], "AlbTarget5xxRatio");
    expect(alb.targets.map((t: any) => [t.id, t.hide, t.expression ?? t.metricName])).toEqual([
      ["errors", true, "HTTPCode_Target_5XX_Count"],
      ["requests", true, "RequestCount"],
      ["ratio", false, "IF(requests > 0, errors / requests, 0)"],
    ]);
    expect(alb.fieldConfig.defaults.thresholds.steps.map((s: any) => s.value)).toEqual([null, nextUp(0.01), nextUp(0.05)]);
  });

  test("overview tiles link to their service's dashboard", () => {
    const dashboards = byKey("prod");
    const uids = new Set(Object.values(dashboards).map((d: any) => d.uid));
    const tiles = panelsOf(dashboards.overview).filter((p) => / · /.test(p.title));
    expect(tiles.length).toBeGreaterThan(20);
    for (const t of tiles) expect(uids.has(t.links[0].url.replace("/d/", ""))).toBe(true);
  });
});

describe("determinism and stable identities", () => {
  const variant = (change: (m: any) => void) => {
    const doc = yaml.load(readFileSync(EXAMPLES.sportsCoach, "utf8")) as any;
    change(doc);
    const file = path.join(tempDir("dash-variant"), "model.yaml");
    writeFileSync(file, yaml.dump(doc));
    return loadModelFile(file, blueprintCatalog);
  };
  const reversed = (o: Record<string, unknown>) => Object.fromEntries(Object.entries(o).reverse());
  const original = loadExample(EXAMPLES.sportsCoach);
  const json = (l: LoadedModel) => JSON.stringify(build(l, "prod"));

  test("the same model gives byte-identical dashboards, and so does the model with its maps reordered", () => {
    expect(json(loadExample(EXAMPLES.sportsCoach))).toBe(json(original));
    const reordered = variant((m) => {
      for (const key of ["services", "receivers", "alerts", "alarms", "dashboards"]) m[key] = reversed(m[key]);
    });
    expect(json(reordered)).toBe(json(original));
  });

  test("renaming dashboard and panel titles changes no uid and no panel id", () => {
    const renamed = variant((m) => {
      for (const d of Object.values<any>(m.dashboards)) d.title = `${d.title} (renamed)`;
      for (const s of Object.values<any>(m.services)) s.description = `${s.description ?? ""} (renamed)`;
    });
    const ids = (l: LoadedModel) => build(l, "prod").map((d) => [d.json.uid, (d.json.panels ?? []).map((p: any) => p.id)]);
    expect(ids(renamed)).toEqual(ids(original));
    expect(build(renamed, "prod").find((d) => d.key === "dash-business-overview")!.json.title).toMatch(/renamed/);
  });
});

test("the layout picture puts every panel title at its grid position", () => {
  const loaded = loadExample(EXAMPLES.sportsCoach);
  const overview = build(loaded, "prod").find((d) => d.key === "overview")!.json as any;
  const svg = renderLayoutSvg(overview);
  expect(svg).toBe(renderLayoutSvg(overview));
  expect(svg).toMatch(/^<svg [^>]*width="1184"/);
  for (const p of overview.panels) {
    // Titles may wrap; their first word sits at the panel's top-left corner (16 px margin, 48 px columns, 30 px rows).
    const x = 16 + p.gridPos.x * 48 + (p.type === "row" ? 8 : 2 + 6);
    const firstWord = p.title.split(" ")[0].replace(/&/g, "&amp;").replace(/</g, "&lt;");
    expect(svg).toContain(`<text x="${x}" y="${p.type === "row" ? 44 + p.gridPos.y * 30 + 20 : 44 + p.gridPos.y * 30 + 2 + 16}"`);
    expect(svg).toContain(firstWord);
  }
});
