// Synthesis benchmark: a generated model of N services -> its environment's stacks, timed and sized.
//
//   npm run bench                                  # sizes 10, 100, 1000, one child process each
//   node dist/scripts/bench.js --sizes 10,100      # chosen sizes
//   node dist/scripts/bench.js --size 1000         # one size in this process (what the parent spawns;
//                                                  # add node flags such as --cpu-prof before the script)
//
// Prints one JSON line per size on stdout:
//   {"services":N,"resources":R,"synthMs":T,"peakRssMb":M, ...extra fields}
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { performance } from "node:perf_hooks";
import { App } from "cdktf";
import * as yaml from "js-yaml";
import { blueprintCatalog } from "../alerts/blueprints";
import { resolveModel } from "../model/load";
import { ModelInput, SERVICE_KINDS, ServiceKind } from "../model/schema";
import { parseYaml } from "../model/yaml-source";
import { addModelStacks } from "../stacks/app";
import { awsStackName } from "../stacks/environment-state";

const DEFAULT_SIZES = [10, 100, 1000];
const TEAMS = 10;
const PROJECT = "bench";
const ENVIRONMENT = "bench";

// ---------------------------------------------------------------------------------------------
// Model generation: deterministic (index-derived names and values only), no randomness.

const team = (i: number) => `team-${i % TEAMS}`;
const pad = (i: number) => String(i).padStart(4, "0");

type ServiceInput = NonNullable<ModelInput["services"]>[string];

/** CloudWatch resources a service of this kind would really have, so blueprint alarms are produced. */
function cloudwatchFor(kind: ServiceKind, name: string, i: number): ServiceInput["cloudwatch"] {
  switch (kind) {
    case "http-api":
      // Alternate ALB-fronted and Lambda-backed APIs.
      return Math.floor(i / SERVICE_KINDS.length) % 2 === 0
        ? { alb: { load_balancer: `app/${name}/0123456789abcdef`, target_group: `targetgroup/${name}/0123456789abcdef` } }
        : { lambda: { function_name: name } };
    case "worker":
      return { sqs: { queue_name: `${name}-jobs` }, lambda: { function_name: `${name}-consumer` } };
    case "postgres":
      return { rds: { db_instance_identifier: name, max_connections: 500 } };
    case "redis":
      return { elasticache: { cache_cluster_id: `${name}-001` } };
    case "host":
      return { ec2: { instance_ids: [`i-${pad(i)}0000000a`, `i-${pad(i)}0000000b`] } };
    case "ai-model":
      return { sagemaker: { endpoint_name: name } };
    case "custom":
      return undefined; // the custom blueprint has no CloudWatch alarms
  }
}

/** A few per-kind overrides, on every 5th service, so the override path is exercised too. */
function overridesFor(kind: ServiceKind, i: number): ServiceInput["rules"] {
  if (i % 5 !== 0) return {};
  switch (kind) {
    case "http-api":
      return { HttpApiHighLatencyP95: { thresholds: { warning: 0.8, critical: 2 } } };
    case "postgres":
      return { PostgresReplicationLag: { disabled: true } };
    case "host":
      return { HostHighCpuUsage: { thresholds: { warning: 0.8, critical: 0.9 } } };
    case "ai-model":
      return { AiModelHighCost: { disabled: true } };
    default:
      return {};
  }
}

export function generateModel(size: number): ModelInput {
  const teams = Array.from({ length: TEAMS }, (_, t) => team(t));
  const services: Record<string, ServiceInput> = {};
  const names: string[] = [];
  for (let i = 0; i < size; i++) {
    const kind = SERVICE_KINDS[i % SERVICE_KINDS.length];
    const name = `svc-${pad(i)}-${kind}`;
    names.push(name);
    const cloudwatch = cloudwatchFor(kind, name, i);
    services[name] = {
      kind,
      team: team(i),
      description: `Generated ${kind} service #${i}`,
      selector: { job: name },
      labels: { tier: i % 3 === 0 ? "gold" : "silver" },
      rules: overridesFor(kind, i),
      ...(cloudwatch ? { cloudwatch } : {}),
    };
  }
  const first = (kind: ServiceKind) => names.find((n) => n.endsWith(`-${kind}`)) ?? names[0];
  const api = first("http-api");
  const db = first("postgres");

  return {
    project: PROJECT,
    description: `Benchmark model with ${size} services`,
    environments: { [ENVIRONMENT]: { region: "us-east-1", account: "123456789012", tags: { purpose: "bench" } } },
    receivers: {
      "pagerduty-oncall": { type: "pagerduty", routing_key: { secrets_manager: "bench/pagerduty" } },
      "email-ops": { type: "email", to: ["ops@bench.example.com"] },
      heartbeat: { type: "webhook", url: { ssm: "/bench/heartbeat/url" } },
      ...Object.fromEntries(teams.map((t) => [`slack-${t}`, { type: "slack", channel: `#${t}`, webhook_url: { secrets_manager: `bench/slack/${t}` } }])),
    },
    notifier: { fallback_receiver: "email-ops" },
    routing: {
      receiver: "email-ops",
      group_by: ["alertname", "service", "severity"],
      heartbeat: { receiver: "heartbeat" },
      routes: [
        { matchers: ['severity="critical"'], receiver: "pagerduty-oncall", continue: true, mute_time_intervals: ["maintenance"] },
        ...teams.map((t) => ({ matchers: [`team="${t}"`, 'severity=~"critical|warning"'], receiver: `slack-${t}` })),
        { matchers: ['severity="info"'], receiver: "email-ops", repeat_interval: "24h" },
      ],
      inhibit_rules: [{ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "service"] }],
      time_intervals: { maintenance: [{ weekdays: ["sunday"], times: [{ start_time: "02:00", end_time: "04:00" }], location: "UTC" }] },
    },
    services,
    alerts: {
      BenchApiTrafficDropped: {
        service: api,
        expr: `sum(rate(http_requests_total{job="${api}"}[5m])) < 0.5 * sum(rate(http_requests_total{job="${api}"}[5m] offset 1w))`,
        for: "30m",
        severity: "warning",
        summary: "API traffic halved",
        description: "Traffic is {{ $value | humanize }} req/s.",
      },
      BenchTeamBacklog: {
        team: team(1),
        expr: "sum(queue_depth) > 1000",
        severity: "info",
        summary: "Backlog is high",
        description: "{{ $value | humanize }} jobs waiting.",
      },
      BenchBusinessKpiLow: {
        expr: "sum(rate(bookings_total[1h])) / sum(rate(profile_views_total[1h])) < 0.02",
        for: "2h",
        severity: "info",
        summary: "Conversion is low",
        description: "Conversion is {{ $value | humanizePercentage }}.",
      },
    },
    alarms: {
      "api-5xx-burst": {
        service: api,
        severity: "critical",
        metric: { namespace: "AWS/ApplicationELB", name: "HTTPCode_ELB_5XX_Count", dimensions: { LoadBalancer: `app/${api}/0123456789abcdef` }, statistic: "Sum" },
        threshold: 50,
        evaluation_periods: 3,
        treat_missing_data: "notBreaching",
      },
      "api-latency-anomaly": {
        service: api,
        severity: "warning",
        metric: { namespace: "AWS/ApplicationELB", name: "TargetResponseTime", dimensions: { LoadBalancer: `app/${api}/0123456789abcdef` }, extended_statistic: "p90", period: 300 },
        anomaly_band: 2,
        comparison: "GreaterThanUpperThreshold",
      },
      "db-write-share": {
        service: db,
        severity: "warning",
        metrics: [
          { id: "writes", metric: { namespace: "AWS/RDS", name: "WriteIOPS", dimensions: { DBInstanceIdentifier: db }, statistic: "Average", period: 300 } },
          { id: "reads", metric: { namespace: "AWS/RDS", name: "ReadIOPS", dimensions: { DBInstanceIdentifier: db }, statistic: "Average", period: 300 } },
          { id: "ratio", expression: "writes / (reads + writes)", return_data: true },
        ],
        threshold: 0.8,
      },
      "platform-degraded": { severity: "critical", composite: { rule: 'ALARM("api-5xx-burst") AND ALARM("db-write-share")' } },
    },
    dashboards: {
      overview: { title: "Bench overview", panels: [{ title: "Requests", queries: [{ expr: "sum(rate(http_requests_total[5m]))" }] }] },
    },
  };
}

// ---------------------------------------------------------------------------------------------
// One size, in this process.

function runOne(size: number): void {
  const input = generateModel(size);
  const outdir = mkdtempSync(path.join(tmpdir(), `monitoring-stack-bench-${size}-`));
  try {
    // Timed: load + validate + construct + synth.
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const loaded = resolveModel(input, blueprintCatalog);
    const t1 = performance.now();
    const app = new App({ outdir, skipValidation: false });
    addModelStacks(app, loaded);
    const t2 = performance.now();
    app.synth();
    const t3 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    // Peak RSS of load+synth, read before the untimed YAML round trip below can add to it.
    const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

    // Resources of every stack the environment gets (AWS, Grafana, Kubernetes when scraping).
    const stackFiles = readdirSync(path.join(outdir, "stacks")).map((s) => readFileSync(path.join(outdir, "stacks", s, "cdk.tf.json"), "utf8"));
    const resources = stackFiles.reduce((n, text) => n + Object.values<object>(JSON.parse(text).resource ?? {}).reduce((m, r) => m + Object.keys(r).length, 0), 0);
    const tfText = readFileSync(path.join(outdir, "stacks", awsStackName(PROJECT, ENVIRONMENT), "cdk.tf.json"), "utf8");
    const byType: Record<string, Record<string, { data?: string }>> = JSON.parse(tfText).resource ?? {};
    const count = (type: string) => Object.keys(byType[type] ?? {}).length;
    const namespaces = Object.values(byType.aws_prometheus_rule_group_namespace ?? {});
    const rules = namespaces.reduce((n, ns) => {
      const file = yaml.load(ns.data ?? "") as { groups: Array<{ rules: unknown[] }> };
      return n + file.groups.reduce((m, g) => m + g.rules.length, 0);
    }, 0);

    // Untimed extra: what the same model costs as YAML (dump, then parse with line tracking + resolve).
    const y0 = performance.now();
    const text = yaml.dump(input, { lineWidth: -1, noRefs: true });
    const y1 = performance.now();
    resolveModel(parseYaml("bench.yaml", text).value, blueprintCatalog);
    const y2 = performance.now();

    const ms = (a: number, b: number) => Math.round(b - a);
    const line = {
      services: size,
      resources,
      synthMs: ms(t0, t3),
      peakRssMb,
      loadMs: ms(t0, t1),
      constructMs: ms(t1, t2),
      appSynthMs: ms(t2, t3),
      // CPU time of the same span (user + system): steadier than wall time on a busy machine.
      cpuMs: Math.round((cpu.user + cpu.system) / 1000),
      alarms: count("aws_cloudwatch_metric_alarm") + count("aws_cloudwatch_composite_alarm"),
      rules,
      ruleNamespaces: namespaces.length,
      stacks: stackFiles.length,
      tfJsonKb: Math.round(stackFiles.reduce((n, text) => n + Buffer.byteLength(text), 0) / 1024),
      yamlKb: Math.round(Buffer.byteLength(text) / 1024),
      yamlDumpMs: ms(y0, y1),
      yamlLoadMs: ms(y1, y2),
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// Parent: one fresh child process per size, so each peak RSS belongs to one size alone.

function runAll(sizes: number[]): void {
  let failed = false;
  for (const size of sizes) {
    const child = spawnSync(process.execPath, [...process.execArgv, __filename, "--size", String(size)], {
      stdio: ["ignore", "pipe", "inherit"],
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    });
    // Forward only the result line; anything else a library printed goes to stderr.
    const lines = (child.stdout ?? "").split("\n").filter((l) => l.trim().length > 0);
    const result = lines.filter((l) => l.startsWith("{")).pop();
    lines.filter((l) => l !== result).forEach((l) => process.stderr.write(`[size ${size}] ${l}\n`));
    if (child.status !== 0 || !result) {
      process.stderr.write(`bench: size ${size} failed (exit ${child.status ?? child.signal})\n`);
      failed = true;
      continue;
    }
    process.stdout.write(`${result}\n`);
  }
  if (failed) process.exitCode = 1;
}

function parseArgs(argv: string[]): { size?: number; sizes: number[] } {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const toSize = (s: string) => {
    const n = Number(s);
    if (!Number.isInteger(n) || n < 1) throw new Error(`bench: expected a positive integer size, got ${JSON.stringify(s)}`);
    return n;
  };
  const one = value("--size");
  const list = value("--sizes");
  return { size: one === undefined ? undefined : toSize(one), sizes: list ? list.split(",").map(toSize) : DEFAULT_SIZES };
}

if (require.main === module) {
  const args = parseArgs(process.argv.slice(2));
  if (args.size !== undefined) runOne(args.size);
  else runAll(args.sizes);
}
