// PostgreSQL through postgres_exporter, and RDS through CloudWatch.
import { AlarmQuery, Blueprint, FixtureSeries, ServiceContext, fixtureLabels, sel } from "../blueprint";
import { metricAlarm, upRule } from "./shared";

const gauge = (key: string, labels: string, values: string) => (ctx: ServiceContext): FixtureSeries[] => [
  { series: `${ctx.metric(key)}{${fixtureLabels(ctx, labels)}}`, values },
];
const GiB = 1024 ** 3;

export const postgres: Blueprint = {
  kind: "postgres",
  metrics: {
    up: "pg_up",
    connections: "pg_stat_activity_count",
    max_connections: "pg_settings_max_connections",
    max_tx_duration: "pg_stat_activity_max_tx_duration",
    replication_lag: "pg_replication_lag_seconds",
    blocks_hit: "pg_stat_database_blks_hit",
    blocks_read: "pg_stat_database_blks_read",
    deadlocks: "pg_stat_database_deadlocks",
    rollbacks: "pg_stat_database_xact_rollback",
    commits: "pg_stat_database_xact_commit",
  },
  recordings: [],
  rules: [
    upRule("PostgresDown", "PostgreSQL", "up"),
    {
      id: "PostgresTooManyConnections",
      value: (ctx) => `sum(${sel(ctx, "connections")}) / max(${sel(ctx, "max_connections")})`,
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.8, critical: 0.9 },
      for: "5m",
      summary: "{{ $labels.service }} is running out of connections",
      description: "{{ $labels.service }} uses {{ $value | humanizePercentage }} of max_connections.",
      fixtures: {
        bad: (ctx) => [...gauge("connections", 'datname="app",state="active"', "95x60")(ctx), ...gauge("max_connections", "", "100x60")(ctx)],
        good: (ctx) => [...gauge("connections", 'datname="app",state="active"', "20x60")(ctx), ...gauge("max_connections", "", "100x60")(ctx)],
      },
    },
    {
      id: "PostgresSlowQueries",
      value: (ctx) => `max(${sel(ctx, "max_tx_duration", 'state="active"')})`,
      comparison: ">",
      unit: "seconds",
      thresholds: { warning: 30, critical: 300 },
      for: "2m",
      summary: "{{ $labels.service }} has long-running queries",
      description: "The longest active transaction on {{ $labels.service }} has run for {{ $value | humanizeDuration }}.",
      fixtures: { bad: gauge("max_tx_duration", 'state="active"', "600x60"), good: gauge("max_tx_duration", 'state="active"', "0.5x60") },
    },
    {
      id: "PostgresReplicationLag",
      value: (ctx) => `max(${sel(ctx, "replication_lag")})`,
      comparison: ">",
      unit: "seconds",
      thresholds: { warning: 30, critical: 300 },
      for: "5m",
      summary: "{{ $labels.service }} replica is lagging",
      description: "Replication lag of {{ $labels.service }} is {{ $value | humanizeDuration }}.",
      fixtures: { bad: gauge("replication_lag", "", "900x60"), good: gauge("replication_lag", "", "1x60") },
    },
    {
      id: "PostgresLowCacheHitRatio",
      value: (ctx) =>
        `sum(rate(${sel(ctx, "blocks_hit")}[5m])) / (sum(rate(${sel(ctx, "blocks_hit")}[5m])) + sum(rate(${sel(ctx, "blocks_read")}[5m])))`,
      comparison: "<",
      unit: "ratio",
      thresholds: { warning: 0.9 },
      for: "15m",
      summary: "{{ $labels.service }} reads mostly from disk",
      description: "Buffer cache hit ratio of {{ $labels.service }} is {{ $value | humanizePercentage }}.",
      fixtures: {
        bad: (ctx) => [...gauge("blocks_hit", 'datname="app"', "0+50x60")(ctx), ...gauge("blocks_read", 'datname="app"', "0+50x60")(ctx)],
        good: (ctx) => [...gauge("blocks_hit", 'datname="app"', "0+990x60")(ctx), ...gauge("blocks_read", 'datname="app"', "0+10x60")(ctx)],
      },
    },
    {
      id: "PostgresDeadlocks",
      value: (ctx) => `sum(increase(${sel(ctx, "deadlocks")}[10m]))`,
      comparison: ">",
      unit: "count",
      thresholds: { warning: 0 },
      for: "0s",
      summary: "{{ $labels.service }} has deadlocks",
      description: "{{ $value | humanize }} deadlocks on {{ $labels.service }} in 10 minutes.",
      fixtures: { bad: gauge("deadlocks", 'datname="app"', "0+1x60"), good: gauge("deadlocks", 'datname="app"', "3x60") },
    },
    {
      id: "PostgresHighRollbackRatio",
      value: (ctx) => `sum(rate(${sel(ctx, "rollbacks")}[5m])) / (sum(rate(${sel(ctx, "rollbacks")}[5m])) + sum(rate(${sel(ctx, "commits")}[5m])))`,
      comparison: ">",
      unit: "ratio",
      thresholds: { warning: 0.1 },
      for: "15m",
      summary: "{{ $labels.service }} rolls back many transactions",
      description: "{{ $value | humanizePercentage }} of transactions on {{ $labels.service }} roll back.",
      fixtures: {
        bad: (ctx) => [...gauge("rollbacks", 'datname="app"', "0+40x60")(ctx), ...gauge("commits", 'datname="app"', "0+60x60")(ctx)],
        good: (ctx) => [...gauge("rollbacks", 'datname="app"', "0+1x60")(ctx), ...gauge("commits", 'datname="app"', "0+99x60")(ctx)],
      },
    },
  ],
  alarms: [
    rdsAlarm("RdsCpuHigh", "CPUUtilization", "CPU utilisation (%)", "percent", ">", { warning: 80, critical: 90 }, "Average"),
    rdsAlarm("RdsFreeStorageLow", "FreeStorageSpace", "Free storage (bytes)", "bytes", "<", { warning: 20 * GiB, critical: 5 * GiB }, "Minimum"),
    rdsAlarm("RdsFreeableMemoryLow", "FreeableMemory", "Freeable memory (bytes)", "bytes", "<", { warning: 512 * 1024 ** 2 }, "Minimum"),
    rdsAlarm("RdsReplicaLag", "ReplicaLag", "Replica lag (seconds)", "seconds", ">", { warning: 30, critical: 300 }, "Maximum"),
    {
      ...rdsAlarm("RdsConnectionsHigh", "DatabaseConnections", "Connections as a share of max_connections", "ratio", ">", { warning: 0.8, critical: 0.9 }, "Maximum"),
      queries: (ctx): Record<string, AlarmQuery> =>
        ctx.cloudwatch.rds?.max_connections
          ? {
              "": {
                math: [
                  { id: "connections", metric: { namespace: "AWS/RDS", name: "DatabaseConnections", dimensions: { DBInstanceIdentifier: ctx.cloudwatch.rds.db_instance_identifier }, stat: "Maximum", period: 60 }, returnData: false },
                  { id: "ratio", expression: `connections / ${ctx.cloudwatch.rds.max_connections}`, label: "connections / max_connections", returnData: true },
                ],
              },
            }
          : {},
    },
    {
      ...rdsAlarm("RdsReadLatencyAnomaly", "ReadLatency", "Read latency outside its learned band", "seconds", ">", { warning: 0 }, "Average"),
      anomalyBand: 2,
    },
  ],
};

function rdsAlarm(
  id: string,
  metricName: string,
  description: string,
  unit: Blueprint["alarms"][number]["unit"],
  comparison: ">" | "<",
  thresholds: Blueprint["alarms"][number]["thresholds"],
  statistic: string,
): Blueprint["alarms"][number] {
  return metricAlarm({
    id,
    resource: "rds",
    namespace: "AWS/RDS",
    metricName,
    dimensions: (ctx) => ({ "": { DBInstanceIdentifier: ctx.cloudwatch.rds!.db_instance_identifier } }),
    description,
    unit,
    comparison,
    thresholds,
    statistic,
  });
}
