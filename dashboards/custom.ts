// The model's own dashboards (`dashboards.<name>`): its panels in order, on the AMP data source.
import { META_TEAM, resolveLevels } from "../alerts/rules";
import { DashboardContext, baseTags, customDashboardKey, dashboardUid, environmentVariable } from "./context";
import { DashboardSpecIR, PanelSpec } from "./spec";
import { thresholdSteps } from "./thresholds";

export function customDashboard(c: DashboardContext, name: string): DashboardSpecIR {
  const spec = c.model.dashboards[name];
  const seen = new Map<string, number>();
  const panels = spec.panels.map((p): PanelSpec => {
    // Keys from titles; a repeated title gets its occurrence number, still independent of position among others.
    const n = (seen.get(p.title) ?? 0) + 1;
    seen.set(p.title, n);
    return {
      key: n === 1 ? `panel:${p.title}` : `panel:${p.title}#${n}`,
      title: p.title,
      type: p.type,
      unit: p.unit,
      width: p.width,
      height: p.height,
      queries: p.queries.map((q) => ({ datasource: "amp", expr: q.expr.trim(), legend: q.legend })),
      thresholds: thresholdSteps(resolveLevels({}, { thresholds: p.thresholds }), p.comparison),
    };
  });
  return {
    key: customDashboardKey(name),
    uid: dashboardUid(c, customDashboardKey(name)),
    title: spec.title,
    folder: spec.team ?? META_TEAM,
    tags: [...baseTags(c), ...spec.tags],
    variables: [environmentVariable(c)],
    links: [{ title: `${c.project} ${c.environment} dashboards`, tags: baseTags(c) }],
    rows: [{ panels }],
  };
}
