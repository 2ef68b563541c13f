// Container images, pinned to the upstream releases current when this was written (release tags
// of the projects' own repositories, August 2026). Bump deliberately: test/e2e names the
// Debian-packaged versions it proves the metric names with, and where they differ.
export const IMAGES = {
  nodeExporter: "quay.io/prometheus/node-exporter:v1.12.1",
  postgresExporter: "quay.io/prometheuscommunity/postgres-exporter:v0.20.1",
  redisExporter: "quay.io/oliver006/redis_exporter:v1.88.0",
  blackboxExporter: "quay.io/prometheus/blackbox-exporter:v0.28.0",
  /** Runs with --agent: scrapes and remote-writes, no local queries or rules. */
  prometheus: "quay.io/prometheus/prometheus:v3.14.0",
} as const;
