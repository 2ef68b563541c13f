// Which panels each service kind shows, in which rows. A panel either plots a blueprint rule's
// own value (the PromQL its alert compares, with the alert's thresholds) or gives context such as
// request rate by status. Metric names come from the service context, so renames flow in.
import { ServiceContext, sel } from "../alerts/blueprint";
import { histogramQuantile } from "../alerts/blueprints/shared";
import { ServiceKind } from "../model/schema";
import { PanelType, PromQuery } from "./spec";

/** Only the chosen instances, where a query keeps the instance label. */
const INSTANCE_FILTER = 'instance=~"$instance"';

export interface KindPanel {
  title: string;
  width: number;
  type?: PanelType;
  /** The blueprint rule whose value and thresholds this panel shows. */
  rule?: string;
  /** Legend of the rule's own series. */
  legend?: string;
  /** Further series: the whole panel for context panels, extra lines for rule panels. */
  queries?: (ctx: ServiceContext) => Omit<PromQuery, "datasource">[];
  unit?: string;
}

export interface KindRow {
  title: string;
  panels: KindPanel[];
}

export interface KindLayout {
  rows: KindRow[];
  /** Rules shown as traffic lights on the overview dashboard, with the tile's short title. */
  headline: Array<{ rule: string; title: string }>;
}

const ratePerSecondBy = (ctx: ServiceContext, counterKey: string, labelKey: string) => [
  {
    expr: `sum by (${ctx.metric(labelKey)}) (rate(${sel(ctx, counterKey, INSTANCE_FILTER)}[5m]))`,
    legend: `{{${ctx.metric(labelKey)}}}`,
  },
];
const up = (title = "Instances up"): KindPanel => ({ title, width: 6, type: "stat", legend: "up" });

export const KIND_LAYOUTS: Record<ServiceKind, KindLayout> = {
  "http-api": {
    headline: [{ rule: "HttpApiDown", title: "up" }, { rule: "HttpApiHigh5xxRate", title: "5xx ratio" }, { rule: "HttpApiHighLatencyP95", title: "p95 latency" }],
    rows: [
      {
        title: "Traffic",
        panels: [
          { ...up(), rule: "HttpApiDown" },
          { title: "Requests per second by status", width: 18, unit: "reqps", queries: (ctx) => ratePerSecondBy(ctx, "requests_total", "status_label") },
        ],
      },
      {
        title: "Latency",
        panels: [
          {
            title: "Latency p50 and p95",
            width: 12,
            rule: "HttpApiHighLatencyP95",
            legend: "p95",
            queries: (ctx) => [{ expr: histogramQuantile(ctx, 0.5, "duration_bucket", "duration_scale"), legend: "p50" }],
          },
          { title: "Latency p99", width: 12, rule: "HttpApiHighLatencyP99", legend: "p99" },
        ],
      },
      {
        title: "Errors",
        panels: [
          { title: "5xx ratio", width: 12, rule: "HttpApiHigh5xxRate", legend: "5xx" },
          { title: "4xx ratio", width: 12, rule: "HttpApiHigh4xxRate", legend: "4xx" },
        ],
      },
      {
        title: "Saturation",
        panels: [
          {
            title: "Requests in flight",
            width: 24,
            rule: "HttpApiHighSaturation",
            legend: "busiest instance",
            queries: (ctx) => [{ expr: `max by (instance) (${sel(ctx, "in_flight", INSTANCE_FILTER)})`, legend: "{{instance}}" }],
          },
        ],
      },
    ],
  },
  worker: {
    headline: [{ rule: "WorkerDown", title: "up" }, { rule: "WorkerHighFailureRate", title: "failure ratio" }, { rule: "WorkerQueueBacklog", title: "backlog" }],
    rows: [
      {
        title: "Throughput",
        panels: [
          { ...up(), rule: "WorkerDown" },
          { title: "Jobs per second by status", width: 18, unit: "ops", queries: (ctx) => ratePerSecondBy(ctx, "jobs_total", "status_label") },
        ],
      },
      {
        title: "Jobs",
        panels: [
          { title: "Failure ratio", width: 12, rule: "WorkerHighFailureRate", legend: "failed" },
          { title: "Job duration p95", width: 12, rule: "WorkerSlowJobs", legend: "p95" },
        ],
      },
      { title: "Queue", panels: [{ title: "Queue backlog", width: 24, rule: "WorkerQueueBacklog", legend: "waiting jobs" }] },
    ],
  },
  postgres: {
    headline: [{ rule: "PostgresDown", title: "up" }, { rule: "PostgresTooManyConnections", title: "connections" }, { rule: "PostgresSlowQueries", title: "longest query" }],
    rows: [
      {
        title: "Availability and connections",
        panels: [
          { ...up("Exporters up"), rule: "PostgresDown" },
          { title: "Connections / max_connections", width: 18, rule: "PostgresTooManyConnections", legend: "used" },
        ],
      },
      {
        title: "Queries",
        panels: [
          { title: "Longest active transaction", width: 12, rule: "PostgresSlowQueries", legend: "longest" },
          { title: "Deadlocks (10m)", width: 12, rule: "PostgresDeadlocks", legend: "deadlocks" },
          { title: "Buffer cache hit ratio", width: 12, rule: "PostgresLowCacheHitRatio", legend: "hit ratio" },
          { title: "Rollback ratio", width: 12, rule: "PostgresHighRollbackRatio", legend: "rollbacks" },
        ],
      },
      { title: "Replication", panels: [{ title: "Replication lag", width: 24, rule: "PostgresReplicationLag", legend: "lag" }] },
    ],
  },
  redis: {
    headline: [{ rule: "RedisDown", title: "up" }, { rule: "RedisLowCacheHitRatio", title: "hit ratio" }, { rule: "RedisHighMemoryUsage", title: "memory" }],
    rows: [
      {
        title: "Availability and clients",
        panels: [
          { ...up("Exporters up"), rule: "RedisDown" },
          { title: "Clients / maxclients", width: 12, rule: "RedisTooManyConnections", legend: "connected" },
          { title: "Rejected connections (5m)", width: 6, type: "stat", rule: "RedisRejectedConnections", legend: "rejected" },
        ],
      },
      {
        title: "Cache",
        panels: [
          { title: "Hit ratio", width: 12, rule: "RedisLowCacheHitRatio", legend: "hits" },
          { title: "Evicted keys per second", width: 12, rule: "RedisEvictingKeys", legend: "evicted" },
        ],
      },
      { title: "Memory", panels: [{ title: "Memory used / maxmemory", width: 24, rule: "RedisHighMemoryUsage", legend: "used" }] },
    ],
  },
  host: {
    headline: [{ rule: "HostDown", title: "up" }, { rule: "HostHighCpuUsage", title: "CPU" }, { rule: "HostHighMemoryUsage", title: "memory" }, { rule: "HostDiskSpaceLow", title: "disk" }],
    rows: [
      {
        title: "Availability and load",
        panels: [
          { title: "Hosts up", width: 6, type: "stat", rule: "HostDown", legend: "{{instance}}" },
          { title: "Load per CPU (5m)", width: 18, rule: "HostHighLoad", legend: "{{instance}}" },
        ],
      },
      {
        title: "CPU and memory",
        panels: [
          { title: "CPU usage", width: 12, rule: "HostHighCpuUsage", legend: "{{instance}}" },
          { title: "Memory usage", width: 12, rule: "HostHighMemoryUsage", legend: "{{instance}}" },
        ],
      },
      {
        title: "Disk",
        panels: [
          { title: "Disk space used", width: 12, rule: "HostDiskSpaceLow", legend: "{{instance}} {{mountpoint}}" },
          { title: "Disk busy time", width: 12, rule: "HostDiskIoSaturated", legend: "{{instance}}" },
        ],
      },
    ],
  },
  "ai-model": {
    headline: [{ rule: "AiModelDown", title: "up" }, { rule: "AiModelHighInferenceLatency", title: "p95 latency" }, { rule: "AiModelHighErrorRate", title: "error ratio" }],
    rows: [
      {
        title: "Traffic",
        panels: [
          { ...up(), rule: "AiModelDown" },
          { title: "Inference requests per second by result", width: 18, unit: "reqps", queries: (ctx) => ratePerSecondBy(ctx, "requests_total", "result_label") },
        ],
      },
      {
        title: "Inference",
        panels: [
          { title: "Inference latency p95", width: 12, rule: "AiModelHighInferenceLatency", legend: "p95" },
          { title: "Error ratio", width: 12, rule: "AiModelHighErrorRate", legend: "errors" },
        ],
      },
      { title: "Quality", panels: [{ title: "Accuracy", width: 24, rule: "AiModelLowAccuracy", legend: "accuracy" }] },
      {
        title: "Usage and cost",
        panels: [
          { title: "Tokens per hour", width: 12, rule: "AiModelHighTokenUsage", legend: "tokens" },
          { title: "Cost per hour (counter's currency)", width: 12, rule: "AiModelHighCost", legend: "cost" },
        ],
      },
    ],
  },
  custom: {
    headline: [{ rule: "ServiceDown", title: "up" }],
    rows: [
      {
        title: "Availability",
        panels: [
          { ...up(), rule: "ServiceDown" },
          { title: "Targets up", width: 18, queries: (ctx) => [{ expr: `sum by (instance) (${sel(ctx, "up", INSTANCE_FILTER)})`, legend: "{{instance}}" }] },
        ],
      },
    ],
  },
};
