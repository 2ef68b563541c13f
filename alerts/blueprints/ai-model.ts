// AI model services: inference latency, errors, accuracy, token usage and cost; SageMaker alarms.
import { Blueprint, FixtureSeries, ServiceContext, fixtureLabels, recorded, sel } from "../blueprint";
import { lambdaAlarms } from "./http-api";
import { histogramFixture, histogramQuantile, metricAlarm, upRule } from "./shared";

const LATENCY_P95 = "service:ai_inference_latency_seconds:p95_5m";
const ERROR_RATIO = "service:ai_inference_errors:ratio_rate5m";
const TOKENS_PER_HOUR = "service:ai_tokens:increase1h";
// Cost is in whatever currency the cost counter counts (USD by default, CNY in the CET-4 example).
const COST_PER_HOUR = "service:ai_cost:increase1h";

const requests = (ctx: ServiceContext, result: string, perMinute: number): FixtureSeries => ({
  series: `${ctx.metric("requests_total")}{${fixtureLabels(ctx, `${ctx.metric("result_label")}="${result}"`)}}`,
  values: `0+${perMinute}x60`,
});
const one = (ctx: ServiceContext, key: string, extra: string, values: string): FixtureSeries => ({ series: `${ctx.metric(key)}{${fixtureLabels(ctx, extra)}}`, values });
const endpoint = (ctx: ServiceContext) => ({ "": { EndpointName: ctx.cloudwatch.sagemaker!.endpoint_name, VariantName: ctx.cloudwatch.sagemaker!.variant_name } });

export const aiModel: Blueprint = {
  kind: "ai-model",
  metrics: {
    up: "up",
    requests_total: "ai_inference_requests_total",
    result_label: "result",
    error_value: "error",
    /** Seconds per unit of the histogram (0.001 for *_ms histograms). */
    latency_scale: "1",
    latency_bucket: "ai_inference_latency_seconds_bucket",
    accuracy: "ai_model_accuracy",
    /** 1 when accuracy is a 0–1 ratio, 100 when it is a percentage (ai_*_accuracy_percent). */
    accuracy_scale: "1",
    tokens_total: "ai_tokens_total",
    cost_total: "ai_cost_usd_total",
  },
  recordings: [
    { record: LATENCY_P95, expr: (ctx) => histogramQuantile(ctx, 0.95, "latency_bucket", "latency_scale") },
    {
      record: ERROR_RATIO,
      expr: (ctx) => `sum(rate(${sel(ctx, "requests_total", `${ctx.metric("result_label")}="${ctx.metric("error_value")}"`)}[5m])) / sum(rate(${sel(ctx, "requests_total")}[5m]))`,
    },
    { record: TOKENS_PER_HOUR, expr: (ctx) => `sum(increase(${sel(ctx, "tokens_total")}[1h]))` },
    { record: COST_PER_HOUR, expr: (ctx) => `sum(increase(${sel(ctx, "cost_total")}[1h]))` },
  ],
  rules: [
    upRule("AiModelDown", "Model service"),
    {
      id: "AiModelHighInferenceLatency",
      value: (ctx) => recorded(ctx, LATENCY_P95),
      comparison: ">",
      unit: "seconds",
      thresholds: { warning: 2, critical: 5 },
      for: "5m",
      summary: "{{ $labels.service }} inference is slow",
      description: "95th percentile inference latency of {{ $labels.service }} is {{ $value | humanizeDuration }}.",
      fixtures: { bad: (ctx) => histogramFixture(ctx, "latency_bucket", "slow", "latency_scale"), good: (ctx) => histogramFixture(ctx, "latency_bucket", "fast", "latency_scale") },
    },
    {
      id: "AiModelHighErrorRate",
      value: (ctx) => recorded(ctx, ERROR_RATIO),
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.02, critical: 0.1 },
      for: "5m",
      summary: "{{ $labels.service }} inference requests fail",
      description: "{{ $value | humanizePercentage }} of {{ $labels.service }} inference requests fail.",
      // Errors carry the service's `error_value`, which the error ratio selects.
      fixtures: {
        bad: (ctx) => [requests(ctx, "success", 80), requests(ctx, ctx.metric("error_value"), 20)],
        good: (ctx) => [requests(ctx, "success", 1000), requests(ctx, ctx.metric("error_value"), 1)],
      },
    },
    {
      id: "AiModelLowAccuracy",
      value: (ctx) => `min(${sel(ctx, "accuracy")}) / ${ctx.metric("accuracy_scale")}`,
      comparison: "<",
      unit: "ratio",
      thresholds: { warning: 0.85, critical: 0.75 },
      for: "30m",
      summary: "{{ $labels.service }} accuracy dropped",
      description: "Measured accuracy of {{ $labels.service }} is {{ $value | humanizePercentage }}: check recent model or data changes.",
      fixtures: {
        bad: (ctx) => [one(ctx, "accuracy", "", `${0.5 * Number(ctx.metric("accuracy_scale"))}x60`)],
        good: (ctx) => [one(ctx, "accuracy", "", `${0.95 * Number(ctx.metric("accuracy_scale"))}x60`)],
      },
    },
    {
      id: "AiModelHighTokenUsage",
      value: (ctx) => recorded(ctx, TOKENS_PER_HOUR),
      comparison: ">",
      unit: "tokens",
      thresholds: { warning: 5_000_000, critical: 20_000_000 },
      for: "15m",
      summary: "{{ $labels.service }} is using many tokens",
      description: "{{ $labels.service }} used {{ $value | humanize }} tokens in the last hour.",
      fixtures: { bad: (ctx) => [one(ctx, "tokens_total", 'type="output"', "0+1000000x60")], good: (ctx) => [one(ctx, "tokens_total", 'type="output"', "0+100x60")] },
    },
    {
      id: "AiModelHighCost",
      value: (ctx) => recorded(ctx, COST_PER_HOUR),
      comparison: ">",
      unit: "money",
      thresholds: { warning: 20, critical: 100 },
      for: "15m",
      summary: "{{ $labels.service }} spend is high",
      description: "{{ $labels.service }} spent {{ $value | humanize }} (in its cost counter's currency) in the last hour.",
      fixtures: { bad: (ctx) => [one(ctx, "cost_total", "", "0+5x60")], good: (ctx) => [one(ctx, "cost_total", "", "0+0.01x60")] },
    },
  ],
  alarms: [
    metricAlarm({ id: "SageMakerModelLatencyP95", resource: "sagemaker", namespace: "AWS/SageMaker", metricName: "ModelLatency", dimensions: endpoint, description: "p95 model latency (microseconds)", unit: "count", comparison: ">", thresholds: { warning: 2_000_000, critical: 5_000_000 }, statistic: "p95" }),
    metricAlarm({ id: "SageMakerInvocation5xxErrors", resource: "sagemaker", namespace: "AWS/SageMaker", metricName: "Invocation5XXErrors", dimensions: endpoint, description: "Endpoint 5xx errors", unit: "count", comparison: ">", thresholds: { critical: 5 }, statistic: "Sum", treatMissingData: "notBreaching" }),
    ...lambdaAlarms(),
  ],
};
