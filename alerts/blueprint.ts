// What a service kind brings: recording rules, alert rules and CloudWatch alarms, each with a
// stable ID, default thresholds per severity, and test fixtures proving it fires and stays quiet.
import { CloudWatchResources, SeverityName, ServiceKind } from "../model/schema";
import { z } from "zod";

export type CloudWatchResourceSpec = z.output<typeof CloudWatchResources>;

/** Everything a blueprint needs to know about one service. */
export interface ServiceContext {
  name: string;
  team: string;
  /** Label matchers of the service's series, without braces: job="sports-api". */
  selector: string;
  /** Metric or label name by blueprint key, after the service's `metrics` overrides. */
  metric(key: string): string;
  cloudwatch: CloudWatchResourceSpec;
}

export type Comparison = ">" | "<";
export type ValueUnit = "seconds" | "ratio" | "percent" | "count" | "bytes" | "ops" | "money" | "tokens";

/** A sample series for promtool tests, in its `input_series` notation. */
export interface FixtureSeries {
  series: string;
  values: string;
}

export interface BlueprintRule {
  id: string;
  /** The PromQL whose value is compared with the threshold (also used for dashboard panels). */
  value(ctx: ServiceContext): string;
  comparison: Comparison;
  unit: ValueUnit;
  thresholds: Partial<Record<SeverityName, number>>;
  for: string;
  summary: string;
  description: string;
  /** Series that breach every default threshold, and series that breach none. */
  fixtures: { bad(ctx: ServiceContext): FixtureSeries[]; good(ctx: ServiceContext): FixtureSeries[] };
}

export interface BlueprintRecording {
  record: string;
  expr(ctx: ServiceContext): string;
}

export type CloudWatchResourceKind = keyof CloudWatchResourceSpec;

/** One metric (or metric-math) query, before thresholds and actions are attached. */
export interface AlarmQuery {
  namespace?: string;
  metricName?: string;
  dimensions?: Record<string, string>;
  statistic?: string;
  extendedStatistic?: string;
  period?: number;
  math?: { id: string; expression?: string; metric?: { namespace: string; name: string; dimensions: Record<string, string>; stat: string; period: number }; label?: string; returnData?: boolean }[];
}

export interface BlueprintAlarm {
  id: string;
  resource: CloudWatchResourceKind;
  description: string;
  unit: ValueUnit;
  comparison: Comparison;
  thresholds: Partial<Record<SeverityName, number>>;
  /** Anomaly band width (standard deviations) instead of a static threshold. */
  anomalyBand?: number;
  evaluationPeriods: number;
  datapointsToAlarm?: number;
  treatMissingData: "missing" | "ignore" | "breaching" | "notBreaching";
  /** One query per monitored resource instance (e.g. per EC2 instance id), keyed by a stable suffix. */
  queries(ctx: ServiceContext): Record<string, AlarmQuery>;
}

export interface Blueprint {
  kind: ServiceKind;
  /** Default metric and label names, overridable per service under `metrics`. */
  metrics: Record<string, string>;
  recordings: BlueprintRecording[];
  rules: BlueprintRule[];
  alarms: BlueprintAlarm[];
}

/** `name{selector,extra}` with no empty braces and no dangling comma. */
export function sel(ctx: ServiceContext, metricKey: string, extra = ""): string {
  const parts = [ctx.selector, extra].filter((p) => p.length > 0);
  return `${ctx.metric(metricKey)}{${parts.join(",")}}`;
}

/** A recording rule's series for this service. */
export function recorded(ctx: ServiceContext, record: string): string {
  return `${record}{service="${ctx.name}"}`;
}

/** Labels a fixture series must carry to be selected: the service selector's equality matchers. */
export function fixtureLabels(ctx: ServiceContext, extra = ""): string {
  return [ctx.selector, extra].filter((p) => p.length > 0).join(",");
}
