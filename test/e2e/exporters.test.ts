// End to end on loopback: real PostgreSQL and Redis servers, Debian's packaged exporters run with
// the flags the manifests use (scraping/exporters.ts builds both), and a real Prometheus scraping
// them with the example's generated scrape configuration. Kubernetes discovery is replaced by the
// targets it would find (test/scraping/simulated-discovery.ts) at loopback addresses, and the
// probe target URL by a local health endpoint; the relabeling runs as generated. Then every series
// selector that the blueprint rules and dashboards of each exporter-backed service read (metric
// name and label matchers) must match scraped series.
//
// Packaged here vs deployed (scraping/images.ts); the flags we use exist in both:
//   node-exporter      1.5.0 (Debian 12)  vs quay.io/prometheus/node-exporter:v1.12.1
//   postgres-exporter  0.11.1             vs quay.io/prometheuscommunity/postgres-exporter:v0.20.1
//   redis-exporter     1.45.0             vs quay.io/oliver006/redis_exporter:v1.88.0
//   blackbox-exporter  0.23.0             vs quay.io/prometheus/blackbox-exporter:v0.28.0
//   Prometheus         2.42 (server here) vs the agent's quay.io/prometheus/prometheus:v3.14.0
// A metric the packaged version lacks is listed in PACKAGED_LACKS with the reason; the test fails
// if one is missing for another reason, or if a listed one turns up (then the entry goes).
//
// Bounded: 10–25 s when the tools are there, 45 s at most waiting for series; every process it
// starts is stopped and every directory removed afterwards.
import { ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { Server, createServer } from "node:http";
import { AddressInfo, createServer as createTcpServer } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { dumpYaml } from "../../alerts/routing";
import { ExporterKind, ExporterRuntime, ExporterWorkload, exporterArgs, exporterWorkloads } from "../../scraping/exporters";
import { ScrapeJob, managedCollectorConfiguration } from "../../scraping/scrape-configs";
import { EXAMPLES, loadExample, requireTool, tempDir } from "../support";
import { exporterEndpoints, withSimulatedDiscovery } from "../scraping/simulated-discovery";
import { SelectorUse, selectorsOf } from "./metrics-present";

const PACKAGED: Record<ExporterKind, { bin: string; package: string }> = {
  "node-exporter": { bin: "prometheus-node-exporter", package: "prometheus-node-exporter" },
  "postgres-exporter": { bin: "prometheus-postgres-exporter", package: "prometheus-postgres-exporter" },
  "redis-exporter": { bin: "prometheus-redis-exporter", package: "prometheus-redis-exporter" },
  "blackbox-exporter": { bin: "prometheus-blackbox-exporter", package: "prometheus-blackbox-exporter" },
};

/** Metrics our rules read that the packaged exporter does not export, and why that is right. */
const PACKAGED_LACKS: Record<string, string> = {
  pg_replication_lag_seconds:
    "postgres_exporter's `replication` collector (0.13.0+, on by default in the deployed v0.20.1) exports it; " +
    "0.11.1 had no built-in equivalent (only `pg_replication_lag` from the optional queries.yaml). The blueprint's name is the current one.",
};

/** The loopback stand-ins for what the Kubernetes Secrets hold in the cluster. */
const connectionSecrets = (ports: { postgres: number; redis: number }): Record<string, string> => ({
  "sports-db-exporter/data-source-name": `postgresql://postgres@127.0.0.1:${ports.postgres}/postgres?sslmode=disable`,
  "sports-cache-exporter/redis-url": `redis://127.0.0.1:${ports.redis}`,
});

const WAIT_FOR_SERIES_MS = 45_000;

const example = loadExample(EXAMPLES.sportsCoach);
const prod = example.environments.find((e) => e.name === "prod")!;
const model = prod.model;
const scraping = prod.settings.scraping!;
const workloads = exporterWorkloads(model);

const processes: Array<{ name: string; child: ChildProcess; output: string[] }> = [];
const cleanup: string[] = [];
let healthServer: Server | undefined;
let prometheusUrl = "";
type ServiceSelector = SelectorUse & { service: string };
let missing: ServiceSelector[] = [];
let present: ServiceSelector[] = [];
let targets: Array<{ job: string; health: string; lastError: string }> = [];

/** Selectors of every service with something we deploy: its exporter, or (http-api) blackbox probes. */
function expectedSelectors(): ServiceSelector[] {
  return Object.keys(model.services)
    .sort()
    .flatMap((service) => {
      const svc = model.services[service];
      if (!svc.exporter && !svc.health) return [];
      // An http-api's other series come from its own /metrics (its `scrape` job), not from an exporter.
      const fromExporter = (s: SelectorUse) => svc.exporter || s.metric.startsWith("probe_");
      return selectorsOf(model, service, { project: example.project, environment: prod.name })
        .filter(fromExporter)
        .map((s) => ({ ...s, service }));
    });
}

function postgresBinaries(): { initdb: string; postgres: string } {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, "bin", "postgres"))) : [];
  const latest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!latest) throw new Error("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin: apt-get install postgresql (see .ci/run)");
  return { initdb: path.join(root, latest, "bin", "initdb"), postgres: path.join(root, latest, "bin", "postgres") };
}

async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function start(name: string, bin: string, args: string[], opts: { env?: Record<string, string>; uid?: number; gid?: number } = {}): void {
  const child = spawn(bin, args, { env: { PATH: process.env.PATH ?? "/usr/bin:/bin", ...opts.env }, uid: opts.uid, gid: opts.gid, stdio: ["ignore", "pipe", "pipe"] });
  const output: string[] = [];
  const keep = (chunk: Buffer) => output.push(...chunk.toString().split("\n").filter(Boolean).slice(-20)) && output.splice(0, Math.max(0, output.length - 40));
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  processes.push({ name, child, output });
}

async function stopAll(): Promise<void> {
  await Promise.all(
    processes.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          const force = setTimeout(() => child.kill("SIGKILL"), 5000);
          child.once("exit", () => {
            clearTimeout(force);
            resolve();
          });
          // postgres: SIGINT is its fast shutdown.
          child.kill(child.spawnfile.endsWith("/postgres") ? "SIGINT" : "SIGTERM");
        }),
    ),
  );
}

function deadProcesses(): string {
  return processes
    .filter((p) => p.child.exitCode !== null || p.child.signalCode !== null)
    .map((p) => `${p.name} exited (${p.child.exitCode ?? p.child.signalCode}):\n  ${p.output.join("\n  ")}`)
    .join("\n");
}

/** Flag names (up to '='): loopback runs differ from the pods only in addresses and paths. */
const flagNames = (args: string[]) => args.map((a) => a.split("=")[0]);

async function query(expr: string): Promise<unknown[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data?: { result: unknown[] }; error?: string };
  if (body.status !== "success") throw new Error(`query ${expr}: ${body.error}`);
  return body.data!.result;
}

beforeAll(async () => {
  const bins = {
    ...postgresBinaries(),
    redis: requireTool("redis-server", "apt-get install redis-server (see .ci/run)"),
    prometheus: requireTool("prometheus", "apt-get install prometheus (see .ci/run)"),
    ...Object.fromEntries(Object.entries(PACKAGED).map(([kind, p]) => [kind, requireTool(p.bin, `apt-get install ${p.package} (see .ci/run)`)])),
  } as Record<string, string>;
  const dir = tempDir("e2e");
  cleanup.push(dir);

  // PostgreSQL refuses to run as root: as root, run it as the postgres user in a directory it owns.
  const asRoot = process.getuid?.() === 0;
  const pgUser = asRoot ? { uid: Number(execFileSync("id", ["-u", "postgres"]).toString()), gid: Number(execFileSync("id", ["-g", "postgres"]).toString()) } : {};
  const pgDir = mkdtempSync(path.join(tmpdir(), "monitoring-stack-e2e-pg-"));
  cleanup.push(pgDir);
  if (asRoot) chownSync(pgDir, pgUser.uid!, pgUser.gid!);
  const initdb = spawnSync(bins.initdb, ["-D", path.join(pgDir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"], { ...pgUser, encoding: "utf8" });
  if (initdb.status !== 0) throw new Error(`initdb failed:\n${initdb.stdout}${initdb.stderr}`);

  const ports = { postgres: await freePort(), redis: await freePort(), health: await freePort(), prometheus: await freePort() };
  start("postgres", bins.postgres, ["-D", path.join(pgDir, "data"), "-k", pgDir, "-h", "127.0.0.1", "-p", String(ports.postgres), "-c", "fsync=off", "-c", "max_connections=20"], pgUser);
  start("redis-server", bins.redis, ["--port", String(ports.redis), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir]);
  healthServer = createServer((req, res) => res.writeHead(req.url === "/health" ? 200 : 404).end("ok"));
  await new Promise<void>((resolve) => healthServer!.listen(ports.health, "127.0.0.1", resolve));

  // Each exporter with the manifest's flags; only addresses and host paths are this machine's.
  const secrets = connectionSecrets(ports);
  const exporterPorts: Record<string, number> = {};
  for (const w of workloads) {
    const port = await freePort();
    exporterPorts[w.name] = port;
    const configDir = path.join(dir, w.name);
    mkdirSync(configDir);
    for (const [file, text] of Object.entries(w.config?.files ?? {})) writeFileSync(path.join(configDir, file), text);
    const runtime: ExporterRuntime = { listenAddress: `127.0.0.1:${port}`, host: { proc: "/proc", sys: "/sys", root: "/" }, configDir };
    const args = exporterArgs(w.kind, runtime);
    expect(flagNames(args)).toEqual(flagNames(w.args));
    start(w.name, bins[w.kind], args, { env: Object.fromEntries(w.secretEnv.map((e) => [e.name, secretValue(secrets, e)])) });
  }

  // The example's generated configuration: discovery simulated at loopback, probes sent to the local
  // health endpoint, scraped every second instead of every 30 s to keep the test short.
  const discovered = withSimulatedDiscovery(
    managedCollectorConfiguration(model, scraping),
    exporterEndpoints(model, scraping.kubernetes.namespace, (w) => `127.0.0.1:${exporterPorts[w.name]}`),
  );
  const config = yaml.load(discovered) as { global: Record<string, string>; scrape_configs: ScrapeJob[] };
  config.global = { scrape_interval: "1s", scrape_timeout: "1s" };
  for (const job of config.scrape_configs)
    for (const r of job.relabel_configs ?? []) if (r.target_label === "__param_target") r.replacement = `http://127.0.0.1:${ports.health}/health`;
  writeFileSync(path.join(dir, "prometheus.yml"), dumpYaml(config));
  start("prometheus", bins.prometheus, [
    `--config.file=${path.join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${path.join(dir, "tsdb")}`,
    `--web.listen-address=127.0.0.1:${ports.prometheus}`,
  ]);
  prometheusUrl = `http://127.0.0.1:${ports.prometheus}`;

  // Wait until every selector matches, or the time is up (then the tests below say what is missing).
  const wanted = expectedSelectors();
  const deadline = Date.now() + WAIT_FOR_SERIES_MS;
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    if (deadProcesses()) throw new Error(`a process of the test stopped early:\n${deadProcesses()}`);
    const found = await Promise.all(wanted.map((s) => query(`count(${s.selector})`).then((r) => r.length > 0, () => false)));
    present = wanted.filter((_, i) => found[i]);
    missing = wanted.filter((_, i) => !found[i]);
    const knownOnly = missing.every((s) => s.metric in PACKAGED_LACKS);
    if ((knownOnly && present.length > 0) || Date.now() > deadline) break;
  }
  const res = (await (await fetch(`${prometheusUrl}/api/v1/targets?state=active`)).json()) as any;
  targets = res.data.activeTargets.map((t: any) => ({ job: t.scrapePool, health: t.health, lastError: t.lastError }));
}, 90_000);

afterAll(async () => {
  await stopAll();
  await new Promise((resolve) => (healthServer ? healthServer.close(resolve) : resolve(undefined)));
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

function secretValue(secrets: Record<string, string>, e: ExporterWorkload["secretEnv"][number]): string {
  const value = secrets[`${e.secret.name}/${e.secret.key}`];
  if (value === undefined) throw new Error(`test bug: no loopback value for Secret ${e.secret.name}/${e.secret.key}; add it to connectionSecrets`);
  return value;
}

test("the example deploys node, postgres, redis and blackbox exporters, and each one is scraped and up", () => {
  expect(workloads.map((w) => w.kind).sort()).toEqual(["blackbox-exporter", "node-exporter", "postgres-exporter", "redis-exporter"]);
  // Services with `scrape` are applications, not running here: their jobs discover nothing.
  const exporterJobs = targets.filter((t) => !model.services[t.job]?.scrape);
  expect(exporterJobs.map((t) => t.job).sort()).toEqual(["app-hosts", "sports-api/health/1", "sports-cache", "sports-db"]);
  expect(exporterJobs.filter((t) => t.health !== "up")).toEqual([]);
});

test("every series selector of the rules and dashboards of exporter-backed services matches scraped series", () => {
  const unexplained = missing.filter((s) => !(s.metric in PACKAGED_LACKS)).map((s) => `${s.service}: ${s.selector} (${s.usedBy})`);
  expect(unexplained).toEqual([]);
  // Not vacuous: each kind's selectors were found.
  const kinds = new Set(present.map((s) => model.services[s.service].kind));
  expect([...kinds].sort()).toEqual(["host", "http-api", "postgres", "redis"]);
  expect(present.map((s) => s.metric)).toEqual(expect.arrayContaining(["pg_up", "redis_up", "node_cpu_seconds_total", "probe_success", "up"]));
});

test("what the packaged exporters lack is exactly what PACKAGED_LACKS explains", () => {
  expect([...new Set(missing.map((s) => s.metric))].sort()).toEqual(Object.keys(PACKAGED_LACKS).sort());
});

test("the probe reports the health endpoint as passing", async () => {
  expect(await query('probe_success{job="blackbox",service="sports-api"} == 1')).toHaveLength(1);
});
