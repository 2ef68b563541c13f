// Redis through redis_exporter, and ElastiCache through CloudWatch.
import { Blueprint, FixtureSeries, ServiceContext, fixtureLabels, sel } from "../blueprint";
import { metricAlarm, upRule } from "./shared";

const series = (ctx: ServiceContext, key: string, values: string): FixtureSeries => ({ series: `${ctx.metric(key)}{${fixtureLabels(ctx)}}`, values });
const cache = (ctx: ServiceContext) => ({ "": { CacheClusterId: ctx.cloudwatch.elasticache!.cache_cluster_id } });

export const redis: Blueprint = {
  kind: "redis",
  metrics: {
    up: "redis_up",
    hits: "redis_keyspace_hits_total",
    misses: "redis_keyspace_misses_total",
    memory_used: "redis_memory_used_bytes",
    memory_max: "redis_memory_max_bytes",
    evicted: "redis_evicted_keys_total",
    clients: "redis_connected_clients",
    max_clients: "redis_config_maxclients",
    rejected: "redis_rejected_connections_total",
  },
  recordings: [],
  rules: [
    upRule("RedisDown", "Redis", "up"),
    {
      id: "RedisLowCacheHitRatio",
      value: (ctx) => `sum(rate(${sel(ctx, "hits")}[5m])) / (sum(rate(${sel(ctx, "hits")}[5m])) + sum(rate(${sel(ctx, "misses")}[5m])))`,
      comparison: "<",
      unit: "ratio",
      thresholds: { warning: 0.8, critical: 0.5 },
      for: "15m",
      summary: "{{ $labels.service }} cache hit ratio is low",
      description: "Only {{ $value | humanizePercentage }} of {{ $labels.service }} lookups hit the cache.",
      fixtures: {
        bad: (ctx) => [series(ctx, "hits", "0+30x60"), series(ctx, "misses", "0+70x60")],
        good: (ctx) => [series(ctx, "hits", "0+95x60"), series(ctx, "misses", "0+5x60")],
      },
    },
    {
      id: "RedisHighMemoryUsage",
      // maxmemory 0 means unlimited: no ratio, no alert.
      value: (ctx) => `max(${sel(ctx, "memory_used")}) / max(${sel(ctx, "memory_max")} > 0)`,
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.85, critical: 0.95 },
      for: "5m",
      summary: "{{ $labels.service }} memory is nearly full",
      description: "{{ $labels.service }} uses {{ $value | humanizePercentage }} of maxmemory.",
      fixtures: {
        bad: (ctx) => [series(ctx, "memory_used", "990x60"), series(ctx, "memory_max", "1000x60")],
        good: (ctx) => [series(ctx, "memory_used", "100x60"), series(ctx, "memory_max", "1000x60")],
      },
    },
    {
      id: "RedisEvictingKeys",
      value: (ctx) => `sum(rate(${sel(ctx, "evicted")}[5m]))`,
      comparison: ">",
      unit: "ops",
      thresholds: { warning: 0 },
      for: "10m",
      summary: "{{ $labels.service }} is evicting keys",
      description: "{{ $labels.service }} evicts {{ $value | humanize }} keys per second: the cache is too small.",
      fixtures: { bad: (ctx) => [series(ctx, "evicted", "0+30x60")], good: (ctx) => [series(ctx, "evicted", "7x60")] },
    },
    {
      id: "RedisTooManyConnections",
      // ElastiCache blocks CONFIG, so redis_config_maxclients is missing there: the model may give
      // the limit as a number instead (metrics.max_clients: "65000").
      value: (ctx) => `max(${sel(ctx, "clients")}) / ${maxClients(ctx) ?? `max(${sel(ctx, "max_clients")})`}`,
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.8, critical: 0.95 },
      for: "5m",
      summary: "{{ $labels.service }} is running out of client slots",
      description: "{{ $labels.service }} has {{ $value | humanizePercentage }} of maxclients connected.",
      fixtures: {
        bad: (ctx) => [series(ctx, "clients", `${Math.ceil((maxClients(ctx) ?? 10000) * 0.99)}x60`), ...maxClientsSeries(ctx)],
        good: (ctx) => [series(ctx, "clients", "50x60"), ...maxClientsSeries(ctx)],
      },
    },
    {
      id: "RedisRejectedConnections",
      value: (ctx) => `sum(increase(${sel(ctx, "rejected")}[5m]))`,
      comparison: ">",
      unit: "count",
      thresholds: { critical: 0 },
      for: "0s",
      summary: "{{ $labels.service }} rejects connections",
      description: "{{ $labels.service }} rejected {{ $value | humanize }} connections in 5 minutes.",
      fixtures: { bad: (ctx) => [series(ctx, "rejected", "0+2x60")], good: (ctx) => [series(ctx, "rejected", "4x60")] },
    },
  ],
  alarms: [
    metricAlarm({ id: "ElastiCacheEngineCpuHigh", resource: "elasticache", namespace: "AWS/ElastiCache", metricName: "EngineCPUUtilization", dimensions: cache, description: "Redis engine CPU (%)", unit: "percent", comparison: ">", thresholds: { warning: 80, critical: 90 }, statistic: "Average" }),
    metricAlarm({ id: "ElastiCacheMemoryHigh", resource: "elasticache", namespace: "AWS/ElastiCache", metricName: "DatabaseMemoryUsagePercentage", dimensions: cache, description: "Memory used of maxmemory (%)", unit: "percent", comparison: ">", thresholds: { warning: 85, critical: 95 }, statistic: "Maximum" }),
    metricAlarm({ id: "ElastiCacheEvictions", resource: "elasticache", namespace: "AWS/ElastiCache", metricName: "Evictions", dimensions: cache, description: "Keys evicted", unit: "count", comparison: ">", thresholds: { warning: 0 }, statistic: "Sum", treatMissingData: "notBreaching" }),
    metricAlarm({ id: "ElastiCacheLowHitRate", resource: "elasticache", namespace: "AWS/ElastiCache", metricName: "CacheHitRate", dimensions: cache, description: "Cache hit rate (%)", unit: "percent", comparison: "<", thresholds: { warning: 80 }, statistic: "Average", treatMissingData: "notBreaching" }),
  ],
};

/** The client limit when the model states it as a number, else undefined (read from the exporter). */
function maxClients(ctx: ServiceContext): number | undefined {
  const limit = Number(ctx.metric("max_clients"));
  return Number.isFinite(limit) && limit > 0 ? limit : undefined;
}

function maxClientsSeries(ctx: ServiceContext): FixtureSeries[] {
  return maxClients(ctx) === undefined ? [series(ctx, "max_clients", "10000x60")] : [];
}
