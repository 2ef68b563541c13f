// What a generated dashboard is made of, before it is rendered with Grafana's typed builders:
// plain data that the kind layouts, the overview and custom dashboards produce and tests inspect.
import { ThresholdStep } from "./thresholds";

export type DataSourceName = "amp" | "cloudwatch";
export type PanelType = "timeseries" | "stat" | "gauge" | "table" | "bargauge";

export interface PromQuery {
  datasource: "amp";
  expr: string;
  legend?: string;
}

/** A CloudWatch metric (namespace/metric/dimensions/statistic) or a metric-math expression over other ids. */
export interface CloudWatchQuery {
  datasource: "cloudwatch";
  id: string;
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
  statistic?: string;
  period?: number;
  expression?: string;
  label?: string;
  /** Inputs of an expression that are not plotted themselves. */
  hidden?: boolean;
}

export type PanelQuery = PromQuery | CloudWatchQuery;

export interface Link {
  title: string;
  url: string;
}

export interface PanelSpec {
  /** Unique within the dashboard and stable across runs: the panel id derives from it. */
  key: string;
  title: string;
  type: PanelType;
  description?: string;
  unit?: string;
  width: number;
  height: number;
  /** Panels of one group stay on one grid line when they fit (the overview's tiles of a service). */
  group?: string;
  queries: PanelQuery[];
  thresholds?: ThresholdStep[];
  links?: Link[];
}

export interface RowSpec {
  /** Without a title the panels start without a row header (custom dashboards). */
  title?: string;
  panels: PanelSpec[];
}

export type VariableSpec =
  | { kind: "constant"; name: string; value: string }
  | { kind: "query"; name: string; label: string; query: string };

export interface DashboardSpecIR {
  /** Model name of the dashboard; the uid derives from it, never from the title. */
  key: string;
  uid: string;
  title: string;
  description?: string;
  /** Team whose folder holds the dashboard. */
  folder: string;
  tags: string[];
  variables: VariableSpec[];
  links: Array<Link | { title: string; tags: string[] }>;
  rows: RowSpec[];
}
