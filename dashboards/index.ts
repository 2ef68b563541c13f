// Model → every Grafana dashboard of an environment: one per service, the overview, and the
// model's custom dashboards. Pure: the same model gives byte-identical JSON.
import { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { DashboardContext } from "./context";
import { customDashboard } from "./custom";
import { overviewDashboard } from "./overview";
import { DataSourceRefs, renderDashboard } from "./render";
import { ServiceRelated, serviceDashboard } from "./service";
import { DashboardSpecIR } from "./spec";

export interface GeneratedDashboard {
  key: string;
  uid: string;
  /** Team whose folder holds it. */
  folder: string;
  json: Dashboard;
}

/** Each service's alerts and alarms, grouped once (not searched per service: models have thousands). */
function relatedByService(c: DashboardContext): Map<string, ServiceRelated> {
  const related = new Map(Object.keys(c.model.services).map((s): [string, ServiceRelated] => [s, { alerts: [], alarms: [] }]));
  for (const name of Object.keys(c.model.alerts).sort()) related.get(c.model.alerts[name].service ?? "")?.alerts.push(name);
  for (const alarm of c.alarms) related.get(alarm.labels.service ?? "")?.alarms.push(alarm);
  return related;
}

export function dashboardSpecs(c: DashboardContext): DashboardSpecIR[] {
  const related = relatedByService(c);
  return [
    overviewDashboard(c),
    ...Object.keys(c.model.services)
      .sort()
      .map((name) => serviceDashboard(c, name, related.get(name)!)),
    ...Object.keys(c.model.dashboards)
      .sort()
      .map((name) => customDashboard(c, name)),
  ];
}

export function buildDashboards(c: DashboardContext, dataSources: DataSourceRefs): GeneratedDashboard[] {
  return dashboardSpecs(c).map((spec) => ({ key: spec.key, uid: spec.uid, folder: spec.folder, json: renderDashboard(spec, dataSources) }));
}
