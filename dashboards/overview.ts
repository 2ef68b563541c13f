// One overview of all services: the alerting pipeline's state, then per team a traffic light per
// service and headline signal (the kind's most telling rules), then the team-level model alerts.
import { BLUEPRINTS } from "../alerts/blueprints";
import { META_TEAM, WATCHDOG } from "../alerts/rules";
import { SEVERITIES } from "../model/schema";
import { DashboardContext, OVERVIEW_KEY, baseTags, dashboardLink, dashboardUid, environmentVariable, serviceDashboardKey } from "./context";
import { KIND_LAYOUTS } from "./kinds";
import { alertPanel, rulePanel } from "./service";
import { DashboardSpecIR, PanelSpec, RowSpec } from "./spec";
import { thresholdSteps } from "./thresholds";

const TILE = { width: 4, height: 4 };
const PIPELINE_TILE = { width: 6, height: 4 };

/** Firing alerts per severity, red/orange/blue as soon as one fires; and the Watchdog, which must fire. */
function pipelinePanels(): PanelSpec[] {
  const firing = SEVERITIES.map(
    (severity): PanelSpec => ({
      key: `firing:${severity}`,
      title: `Firing ${severity} alerts`,
      type: "stat",
      unit: "short",
      ...PIPELINE_TILE,
      queries: [{ datasource: "amp", expr: `count(ALERTS{alertstate="firing",alertname!="${WATCHDOG}",severity="${severity}"}) or vector(0)`, legend: severity }],
      thresholds: thresholdSteps([{ severity, threshold: 0 }], ">"),
    }),
  );
  const watchdog: PanelSpec = {
    key: "watchdog",
    title: "Watchdog firing (pipeline alive)",
    type: "stat",
    unit: "short",
    ...PIPELINE_TILE,
    description: "The always-firing Watchdog alert: 0 means rule evaluation in AMP has stopped.",
    queries: [{ datasource: "amp", expr: `count(ALERTS{alertstate="firing",alertname="${WATCHDOG}"}) or vector(0)`, legend: "watchdog" }],
    thresholds: thresholdSteps([{ severity: "critical", threshold: 1 }], "<"),
  };
  return [...firing, watchdog];
}

function teamRows(c: DashboardContext): RowSpec[] {
  const services = Object.keys(c.model.services).sort();
  const teams = [...new Set(services.map((s) => c.model.services[s].team))].sort();
  return teams.map((team) => ({
    title: `Team ${team}`,
    panels: services
      .filter((name) => c.model.services[name].team === team)
      .flatMap((name) => {
        const svc = c.model.services[name];
        const layouts = KIND_LAYOUTS[svc.kind].rows.flatMap((r) => r.panels);
        return KIND_LAYOUTS[svc.kind].headline.flatMap((headline) => {
          const rule = BLUEPRINTS[svc.kind].rules.find((r) => r.id === headline.rule)!;
          const layout = layouts.find((p) => p.rule === headline.rule)!;
          const tile = { ...layout, title: `${name} · ${headline.title}`, type: "stat" as const, width: TILE.width, queries: undefined };
          const panel = rulePanel(name, svc, rule, tile, `${name}:${headline.rule}`);
          return panel ? [{ ...panel, height: TILE.height, group: name, links: [dashboardLink(c, serviceDashboardKey(name), `${name} dashboard`), ...(panel.links ?? [])] }] : [];
        });
      }),
  }));
}

export function overviewDashboard(c: DashboardContext): DashboardSpecIR {
  const teamAlerts = Object.keys(c.model.alerts)
    .sort()
    .filter((a) => !c.model.alerts[a].service)
    .map((a) => alertPanel(a, c.model.alerts[a], 8, 6));
  return {
    key: OVERVIEW_KEY,
    uid: dashboardUid(c, OVERVIEW_KEY),
    title: `${c.project} overview (${c.environment})`,
    description: "Every service of the model at a glance; colours switch where the alerts fire.",
    folder: META_TEAM,
    tags: [...baseTags(c), "overview"],
    variables: [environmentVariable(c)],
    links: [{ title: `${c.project} ${c.environment} dashboards`, tags: baseTags(c) }],
    rows: [{ title: "Alerting pipeline", panels: pipelinePanels() }, ...teamRows(c), { title: "Team and business alerts", panels: teamAlerts }],
  };
}
