// Background workers: liveness, failure ratio, backlog and job duration; SQS and Lambda alarms.
import { Blueprint, ServiceContext, fixtureLabels, recorded, sel } from "../blueprint";
import { lambdaAlarms } from "./http-api";
import { histogramFixture, histogramQuantile, upRule } from "./shared";

const FAILURE_RATIO = "service:jobs_failed:ratio_rate5m";
const DURATION_P95 = "service:job_duration_seconds:p95_5m";

const jobs = (ctx: ServiceContext, status: string, perMinute: number) => ({
  series: `${ctx.metric("jobs_total")}{${fixtureLabels(ctx, `${ctx.metric("status_label")}="${status}"`)}}`,
  values: `0+${perMinute}x60`,
});
/** Failed jobs carry the service's `failed_value`, which the failure ratio selects. */
const failedJobs = (ctx: ServiceContext, perMinute: number) => jobs(ctx, ctx.metric("failed_value"), perMinute);
const backlog = (depth: number) => (ctx: ServiceContext) => [{ series: `${ctx.metric("queue_depth")}{${fixtureLabels(ctx, 'queue="default"')}}`, values: `${depth}x60` }];

export const worker: Blueprint = {
  kind: "worker",
  metrics: {
    up: "up",
    jobs_total: "jobs_processed_total",
    status_label: "status",
    failed_value: "failed",
    /** Seconds per unit of the histogram (0.001 for *_ms histograms). */
    duration_scale: "1",
    duration_bucket: "job_duration_seconds_bucket",
    queue_depth: "queue_depth",
  },
  recordings: [
    {
      record: FAILURE_RATIO,
      expr: (ctx) =>
        `sum(rate(${sel(ctx, "jobs_total", `${ctx.metric("status_label")}="${ctx.metric("failed_value")}"`)}[5m])) / sum(rate(${sel(ctx, "jobs_total")}[5m]))`,
    },
    { record: DURATION_P95, expr: (ctx) => histogramQuantile(ctx, 0.95, "duration_bucket", "duration_scale") },
  ],
  rules: [
    upRule("WorkerDown", "Worker"),
    {
      id: "WorkerHighFailureRate",
      value: (ctx) => recorded(ctx, FAILURE_RATIO),
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.05, critical: 0.2 },
      for: "10m",
      summary: "{{ $labels.service }} jobs are failing",
      description: "{{ $value | humanizePercentage }} of {{ $labels.service }} jobs failed over 5 minutes.",
      fixtures: { bad: (ctx) => [jobs(ctx, "ok", 50), failedJobs(ctx, 50)], good: (ctx) => [jobs(ctx, "ok", 100), failedJobs(ctx, 0)] },
    },
    {
      id: "WorkerQueueBacklog",
      value: (ctx) => `sum(${sel(ctx, "queue_depth")})`,
      comparison: ">",
      unit: "count",
      thresholds: { warning: 1000, critical: 5000 },
      for: "15m",
      summary: "{{ $labels.service }} is falling behind",
      description: "{{ $value | humanize }} jobs are waiting for {{ $labels.service }}.",
      fixtures: { bad: backlog(9000), good: backlog(10) },
    },
    {
      id: "WorkerSlowJobs",
      value: (ctx) => recorded(ctx, DURATION_P95),
      comparison: ">",
      unit: "seconds",
      thresholds: { warning: 5 },
      for: "15m",
      summary: "{{ $labels.service }} jobs are slow",
      description: "95th percentile job duration of {{ $labels.service }} is {{ $value | humanizeDuration }}.",
      fixtures: { bad: (ctx) => histogramFixture(ctx, "duration_bucket", "slow", "duration_scale"), good: (ctx) => histogramFixture(ctx, "duration_bucket", "fast", "duration_scale") },
    },
  ],
  alarms: [
    {
      id: "SqsOldestMessageAge",
      resource: "sqs",
      description: "Age of the oldest message waiting in the queue (seconds)",
      unit: "seconds",
      comparison: ">",
      thresholds: { warning: 300, critical: 900 },
      evaluationPeriods: 3,
      treatMissingData: "notBreaching",
      queries: (ctx) => ({
        "": { namespace: "AWS/SQS", metricName: "ApproximateAgeOfOldestMessage", dimensions: { QueueName: ctx.cloudwatch.sqs!.queue_name }, statistic: "Maximum", period: 60 },
      }),
    },
    ...lambdaAlarms(),
  ],
};
