// Golden signals of an HTTP API: traffic, errors (4xx/5xx), latency (p50/p95/p99), saturation.
import { AlarmQuery, Blueprint, ServiceContext, fixtureLabels, recorded, sel } from "../blueprint";
import { errorRatioAlarm, histogramFixture, histogramQuantile, statusLabelPattern, upRule } from "./shared";

const RATE = "service:http_requests:rate5m";
const RATIO_5XX = "service:http_requests_5xx:ratio_rate5m";
const RATIO_4XX = "service:http_requests_4xx:ratio_rate5m";
const latency = (q: string) => `service:http_request_duration_seconds:p${q}_5m`;

const requestsBy = (ctx: ServiceContext, extra = "") => `sum(rate(${sel(ctx, "requests_total", extra)}[5m]))`;
const statusRatio = (ctx: ServiceContext, klass: "4" | "5") =>
  `${requestsBy(ctx, `${ctx.metric("status_label")}=~"${statusLabelPattern(klass)}"`)} / ${requestsBy(ctx)}`;
const quantile = (q: string) => (ctx: ServiceContext) => histogramQuantile(ctx, Number(`0.${q}`), "duration_bucket", "duration_scale");

/** Probe series carry the service's name, not its selector (whose `up` would then mix with the probes'). */
const probe = (ctx: ServiceContext, extra = "") => `${ctx.metric("probe_success")}{${[`service=${JSON.stringify(ctx.name)}`, extra].filter(Boolean).join(",")}}`;

const requests = (ctx: ServiceContext, status: string, perMinute: number) => ({
  series: `${ctx.metric("requests_total")}{${fixtureLabels(ctx, `${ctx.metric("status_label")}="${status}"`)}}`,
  values: `0+${perMinute}x60`,
});

export const httpApi: Blueprint = {
  kind: "http-api",
  metrics: {
    up: "up",
    requests_total: "http_requests_total",
    /** Seconds per unit of the histogram (0.001 for *_ms histograms). */
    duration_scale: "1",
    duration_bucket: "http_request_duration_seconds_bucket",
    status_label: "status",
    in_flight: "http_requests_in_flight",
    /** From blackbox-exporter probing the service's `health` URLs; the scrape job labels it service=<name>. */
    probe_success: "probe_success",
  },
  recordings: [
    { record: RATE, expr: (ctx) => requestsBy(ctx) },
    { record: RATIO_5XX, expr: (ctx) => statusRatio(ctx, "5") },
    { record: RATIO_4XX, expr: (ctx) => statusRatio(ctx, "4") },
    { record: latency("50"), expr: quantile("50") },
    { record: latency("95"), expr: quantile("95") },
    { record: latency("99"), expr: quantile("99") },
  ],
  rules: [
    upRule("HttpApiDown", "API"),
    {
      id: "HttpApiHighLatencyP95",
      value: (ctx) => recorded(ctx, latency("95")),
      comparison: ">",
      unit: "seconds",
      thresholds: { warning: 1, critical: 2 },
      for: "5m",
      summary: "{{ $labels.service }} p95 latency is high",
      description: "95th percentile request latency of {{ $labels.service }} is {{ $value | humanizeDuration }} over 5 minutes.",
      fixtures: { bad: (ctx) => histogramFixture(ctx, "duration_bucket", "slow", "duration_scale"), good: (ctx) => histogramFixture(ctx, "duration_bucket", "fast", "duration_scale") },
    },
    {
      id: "HttpApiHighLatencyP99",
      value: (ctx) => recorded(ctx, latency("99")),
      comparison: ">",
      unit: "seconds",
      thresholds: { warning: 3 },
      for: "10m",
      summary: "{{ $labels.service }} p99 latency is high",
      description: "99th percentile request latency of {{ $labels.service }} is {{ $value | humanizeDuration }}.",
      fixtures: { bad: (ctx) => histogramFixture(ctx, "duration_bucket", "slow", "duration_scale"), good: (ctx) => histogramFixture(ctx, "duration_bucket", "fast", "duration_scale") },
    },
    {
      id: "HttpApiHigh5xxRate",
      value: (ctx) => recorded(ctx, RATIO_5XX),
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.01, critical: 0.05 },
      for: "5m",
      summary: "{{ $labels.service }} is answering with server errors",
      description: "{{ $value | humanizePercentage }} of requests to {{ $labels.service }} fail with 5xx.",
      fixtures: {
        bad: (ctx) => [requests(ctx, "200", 90), requests(ctx, "500", 10)],
        good: (ctx) => [requests(ctx, "200", 1000), requests(ctx, "500", 1)],
      },
    },
    {
      id: "HttpApiHigh4xxRate",
      value: (ctx) => recorded(ctx, RATIO_4XX),
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.1 },
      for: "15m",
      summary: "{{ $labels.service }} rejects many requests",
      description: "{{ $value | humanizePercentage }} of requests to {{ $labels.service }} get a 4xx answer; a client or an auth change may be broken.",
      fixtures: {
        bad: (ctx) => [requests(ctx, "200", 70), requests(ctx, "404", 30)],
        good: (ctx) => [requests(ctx, "200", 100), requests(ctx, "404", 1)],
      },
    },
    {
      id: "HttpApiHighSaturation",
      value: (ctx) => `max(${sel(ctx, "in_flight")})`,
      comparison: ">",
      unit: "count",
      thresholds: { warning: 100, critical: 500 },
      for: "10m",
      summary: "{{ $labels.service }} has many requests in flight",
      description: "{{ $labels.service }} is handling {{ $value | humanize }} concurrent requests on one instance: it is saturated.",
      fixtures: {
        bad: (ctx) => [{ series: `${ctx.metric("in_flight")}{${fixtureLabels(ctx, 'instance="api-1"')}}`, values: "800x60" }],
        good: (ctx) => [{ series: `${ctx.metric("in_flight")}{${fixtureLabels(ctx, 'instance="api-1"')}}`, values: "5x60" }],
      },
    },
    {
      id: "HttpApiHealthCheckFailing",
      value: (ctx) => `min(${probe(ctx)})`,
      comparison: "<",
      unit: "ratio",
      thresholds: { critical: 1 },
      for: "3m",
      summary: "{{ $labels.service }} fails its health check",
      description: "A health URL of {{ $labels.service }} fails its blackbox probe (status, body or timeout); probe_success shows which.",
      fixtures: {
        bad: (ctx) => [{ series: probe(ctx, 'instance="https://api.example.com/health"'), values: "0x60" }],
        good: (ctx) => [{ series: probe(ctx, 'instance="https://api.example.com/health"'), values: "1x60" }],
      },
    },
  ],
  alarms: [
    errorRatioAlarm({
      id: "AlbTarget5xxRatio",
      resource: "alb",
      description: "Share of ALB target responses that are 5xx",
      namespace: "AWS/ApplicationELB",
      errors: "HTTPCode_Target_5XX_Count",
      total: { id: "requests", metric: "RequestCount" },
      dimensions: (ctx) => ({ LoadBalancer: ctx.cloudwatch.alb!.load_balancer }),
      label: "5xx ratio",
    }),
    {
      id: "AlbTargetResponseTimeP95",
      resource: "alb",
      description: "p95 target response time at the load balancer",
      unit: "seconds",
      comparison: ">",
      thresholds: { warning: 1, critical: 2 },
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: "notBreaching",
      queries: (ctx) => ({
        "": { namespace: "AWS/ApplicationELB", metricName: "TargetResponseTime", dimensions: { LoadBalancer: ctx.cloudwatch.alb!.load_balancer }, extendedStatistic: "p95", period: 60 },
      }),
    },
    {
      id: "AlbUnhealthyTargets",
      resource: "alb",
      description: "Targets failing ALB health checks",
      unit: "count",
      comparison: ">",
      thresholds: { critical: 0 },
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
      queries: (ctx): Record<string, AlarmQuery> =>
        ctx.cloudwatch.alb!.target_group
          ? {
              "": {
                namespace: "AWS/ApplicationELB",
                metricName: "UnHealthyHostCount",
                dimensions: { LoadBalancer: ctx.cloudwatch.alb!.load_balancer, TargetGroup: ctx.cloudwatch.alb!.target_group },
                statistic: "Maximum",
                period: 60,
              },
            }
          : {},
    },
    {
      id: "AlbRequestCountAnomaly",
      resource: "alb",
      description: "Request count outside its learned band (traffic drop or surge)",
      unit: "count",
      comparison: ">",
      thresholds: { warning: 0 },
      anomalyBand: 3,
      evaluationPeriods: 3,
      treatMissingData: "ignore",
      queries: (ctx) => ({
        "": { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: { LoadBalancer: ctx.cloudwatch.alb!.load_balancer }, statistic: "Sum", period: 300 },
      }),
    },
    ...lambdaAlarms(),
  ],
};

/** Lambda-backed APIs, workers and model endpoints share these. */
export function lambdaAlarms(): Blueprint["alarms"] {
  const fn = (ctx: ServiceContext) => ({ FunctionName: ctx.cloudwatch.lambda!.function_name });
  return [
    errorRatioAlarm({
      id: "LambdaErrorRatio",
      resource: "lambda",
      description: "Share of Lambda invocations that fail",
      namespace: "AWS/Lambda",
      errors: "Errors",
      total: { id: "invocations", metric: "Invocations" },
      dimensions: fn,
      label: "error ratio",
    }),
    {
      id: "LambdaThrottles",
      resource: "lambda",
      description: "Lambda invocations throttled",
      unit: "count",
      comparison: ">",
      thresholds: { warning: 0 },
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
      queries: (ctx) => ({ "": { namespace: "AWS/Lambda", metricName: "Throttles", dimensions: fn(ctx), statistic: "Sum", period: 60 } }),
    },
    {
      id: "LambdaDurationP95",
      resource: "lambda",
      description: "p95 Lambda duration (milliseconds)",
      unit: "count",
      comparison: ">",
      thresholds: { warning: 3000, critical: 10000 },
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: "notBreaching",
      queries: (ctx) => ({ "": { namespace: "AWS/Lambda", metricName: "Duration", dimensions: fn(ctx), extendedStatistic: "p95", period: 60 } }),
    },
  ];
}

