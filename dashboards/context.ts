// What every generated dashboard knows: the environment it is for, stable uids, shared links.
import { AlarmDefinition } from "../alerts/alarms";
import { MonitoringModel } from "../model/schema";
import { stableUid } from "./ids";
import { Link, VariableSpec } from "./spec";

export interface DashboardContext {
  project: string;
  environment: string;
  /** The environment's model (overrides applied): thresholds match this environment's alerts. */
  model: MonitoringModel;
  /** The environment's CloudWatch alarms, for panels with the alarms' own thresholds. */
  alarms: AlarmDefinition[];
}

export const OVERVIEW_KEY = "overview";
export const serviceDashboardKey = (service: string) => `svc-${service}`;
export const customDashboardKey = (name: string) => `dash-${name}`;

export function dashboardUid(c: DashboardContext, key: string): string {
  return stableUid(c.project, c.environment, key);
}

/** Tags every generated dashboard carries, so dashboard links can list them all. */
export const baseTags = (c: DashboardContext) => [c.project, c.environment];

export const environmentVariable = (c: DashboardContext): VariableSpec => ({ kind: "constant", name: "environment", value: c.environment });

export function dashboardLink(c: DashboardContext, key: string, title: string): Link {
  return { title, url: `/d/${dashboardUid(c, key)}` };
}

/** Grafana's alert list, filtered to the rules an alert name and/or labels select (AMP's rules show there too). */
export function alertListLink(title: string, filter: { rule?: string; labels?: Record<string, string> }): Link {
  const terms = [
    ...(filter.rule ? [`rule:${filter.rule}`] : []),
    ...Object.entries(filter.labels ?? {}).map(([k, v]) => `label:${k}=${v}`),
  ];
  return { title, url: `/alerting/list?${new URLSearchParams({ search: terms.join(" ") }).toString()}` };
}
