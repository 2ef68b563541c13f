// Building blocks several blueprints share.
import { Blueprint, BlueprintRule, FixtureSeries, ServiceContext, fixtureLabels, sel } from "../blueprint";
import { formatNumber } from "../format";

/** Status codes of a class, matching both "500" and "5xx"-style label values. */
export function statusLabelPattern(klass: "4" | "5"): string {
  return `${klass}..`;
}

/** Availability from a 0/1 gauge (`up`, `pg_up`, `redis_up`): any instance down warns, half down pages. */
export function upRule(id: string, what: string, metricKey = "up"): BlueprintRule {
  const fixture = (value: number) => (ctx: ServiceContext): FixtureSeries[] => [
    { series: `${ctx.metric(metricKey)}{${fixtureLabels(ctx, 'instance="i-1"')}}`, values: `${value}x60` },
  ];
  return {
    id,
    value: (ctx) => `(avg(${sel(ctx, metricKey)}) or vector(0))`,
    comparison: "<",
    unit: "ratio",
    thresholds: { warning: 1, critical: 0.5 },
    for: "2m",
    summary: `${what} {{ $labels.service }} is down`,
    description: `Only {{ $value | humanizePercentage }} of {{ $labels.service }} instances are up (or none report at all).`,
    fixtures: { bad: fixture(0), good: fixture(1) },
  };
}

/**
 * A latency histogram whose observations all land in one bucket: fast (≤0.1s) or slow (10–30s).
 * Bucket bounds are in the metric's own unit (`scaleKey` converts it to seconds, e.g. 0.001 for ms).
 */
export function histogramFixture(ctx: ServiceContext, metricKey: string, speed: "fast" | "slow", scaleKey: string): FixtureSeries[] {
  const seconds = [0.1, 0.5, 1, 2.5, 5, 10, 30, Infinity];
  const scale = Number(ctx.metric(scaleKey));
  const firstHit = speed === "fast" ? 0 : seconds.indexOf(30);
  return seconds.map((bound, i) => ({
    series: `${ctx.metric(metricKey)}{${fixtureLabels(ctx, `le="${bound === Infinity ? "+Inf" : formatNumber(bound / scale)}"`)}}`,
    values: i >= firstHit ? "0+60x60" : "0+0x60",
  }));
}

/** p-quantile of a histogram, in seconds whatever unit the histogram counts in. */
export function histogramQuantile(ctx: ServiceContext, q: number, bucketKey: string, scaleKey: string): string {
  const scale = ctx.metric(scaleKey);
  const quantile = `histogram_quantile(${q}, sum by (le) (rate(${sel(ctx, bucketKey)}[5m])))`;
  return scale === "1" ? quantile : `${quantile} * ${scale}`;
}

type Alarm = Blueprint["alarms"][number];

/** A static-threshold alarm on one CloudWatch metric of a resource. */
export function metricAlarm(spec: {
  id: string;
  resource: Alarm["resource"];
  namespace: string;
  metricName: string;
  dimensions: (ctx: ServiceContext) => Record<string, Record<string, string>>;
  description: string;
  unit: Alarm["unit"];
  comparison: ">" | "<";
  thresholds: Alarm["thresholds"];
  statistic: string;
  treatMissingData?: Alarm["treatMissingData"];
}): Alarm {
  const stat = /^p\d/.test(spec.statistic) ? { extendedStatistic: spec.statistic } : { statistic: spec.statistic };
  return {
    id: spec.id,
    resource: spec.resource,
    description: spec.description,
    unit: spec.unit,
    comparison: spec.comparison,
    thresholds: spec.thresholds,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: spec.treatMissingData ?? "missing",
    queries: (ctx) =>
      Object.fromEntries(
        Object.entries(spec.dimensions(ctx)).map(([suffix, dimensions]) => [suffix, { namespace: spec.namespace, metricName: spec.metricName, dimensions, period: 60, ...stat }]),
      ),
  };
}

/** errors / total of two Sum metrics of one resource, as metric math; 0 while there is no traffic. */
export function errorRatioAlarm(spec: {
  id: string;
  resource: Alarm["resource"];
  description: string;
  namespace: string;
  errors: string;
  /** The denominator; its id names it in the math expression (requests, invocations). */
  total: { id: string; metric: string };
  dimensions: (ctx: ServiceContext) => Record<string, string>;
  label: string;
}): Alarm {
  return {
    id: spec.id,
    resource: spec.resource,
    description: spec.description,
    unit: "ratio",
    comparison: ">",
    thresholds: { warning: 0.01, critical: 0.05 },
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: "notBreaching",
    queries: (ctx) => {
      const metric = (name: string) => ({ namespace: spec.namespace, name, dimensions: spec.dimensions(ctx), stat: "Sum", period: 60 });
      return {
        "": {
          math: [
            { id: "errors", metric: metric(spec.errors), returnData: false },
            { id: spec.total.id, metric: metric(spec.total.metric), returnData: false },
            { id: "ratio", expression: `IF(${spec.total.id} > 0, errors / ${spec.total.id}, 0)`, label: spec.label, returnData: true },
          ],
        },
      };
    },
  };
}
