// The generated scrape configurations, proven with the real promtool:
//  - every configuration (managed collector and agent, every environment that scrapes, and a
//    model exercising escaping and every option) passes `promtool check config`;
//  - `promtool check service-discovery` runs each job's relabeling against simulated Kubernetes
//    discovery: a job keeps exactly its own target and gives its series the service's selector
//    labels, so the blueprint rules select what was scraped;
//  - blackbox-exporter accepts its generated modules (`--config.check`).
//
// Debian's prometheus (promtool 2.42) is built without Kubernetes service discovery, so each
// `kubernetes_sd_configs` is swapped for the static targets it would discover (everything else is
// checked as generated), and its own fields are checked against upstream's SDConfig below.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import * as yaml from "js-yaml";
import { blueprintCatalog } from "../../alerts/blueprints";
import { ResolvedEnvironment, resolveModel } from "../../model/load";
import { exporterObjectName } from "../../model/scraping-checks";
import { MonitoringModel, ScrapingSpec } from "../../model/schema";
import { blackboxConfig } from "../../scraping/blackbox";
import { exporterWorkloads } from "../../scraping/exporters";
import { PROBE_JOB, ScrapeJob, managedCollectorConfiguration, prometheusAgentConfiguration, scrapeJobs } from "../../scraping/scrape-configs";
import { EXAMPLES, loadExample, requireTool, run, tempDir } from "../support";
import { DiscoveredObject, SIMULATED_NODE, exporterEndpoints, servicePods, withSimulatedDiscovery } from "./simulated-discovery";

const PROMTOOL = requireTool("promtool", "apt-get install prometheus (see .ci/run)");
const BLACKBOX = requireTool("prometheus-blackbox-exporter", "apt-get install prometheus-blackbox-exporter (see .ci/run)");
const exec = promisify(execFile);

const REMOTE_WRITE = "https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-00000000-0000-4000-8000-000000000000/api/v1/remote_write";

/** A model using every scraping option, with `$`, dots and slashes where escaping matters. */
const KITCHEN_SINK = {
  project: "sink",
  environments: {
    test: {
      region: "eu-west-1",
      account: "123456789012",
      scraping: { mode: "prometheus-agent", interval: "15s", kubernetes: { namespace: "observability", config_context: "test" }, agent: { oidc_provider_arn: "arn:aws:iam::123456789012:oidc-provider/oidc.example.com" } },
    },
  },
  receivers: { ops: { type: "email", to: ["ops@example.com"] } },
  routing: { receiver: "ops", heartbeat: { receiver: "ops" } },
  services: {
    orders: { kind: "postgres", team: "data", selector: { job: "pg", cluster: "orders$1.a" }, exporter: { connection_secret: { name: "orders-db", key: "dsn" } } },
    sessions: { kind: "redis", team: "data", selector: { service_name: "sessions" }, exporter: { connection_secret: { name: "sessions-cache", key: "url" } } },
    nodes: { kind: "host", team: "ops", selector: { job: "node" }, exporter: {} },
    "gpu-nodes": { kind: "host", team: "ops", selector: { job: "node-gpu" }, exporter: { node_selector: { "nvidia.com/gpu.present": "true" }, port: 9101 } },
    shop: {
      kind: "http-api",
      team: "web",
      selector: { job: "shop" },
      scrape: { namespace: "shop", pod_labels: { "app.kubernetes.io/name": "shop", tier: "web.1" }, port: "http-metrics", path: "/internal/metrics", scheme: "https" },
      health: { urls: ["https://shop.example.com/healthz?deep=$1", "http://shop.shop.svc:8080/ready"], valid_status_codes: [200, 204], body_regexp: '"status":\\s*"(ok|up)"' },
    },
    worker: { kind: "worker", team: "web", selector: { job: "worker" }, scrape: { namespace: "shop", pod_labels: { app: "worker" }, port: 9000 } },
  },
};

interface Case {
  title: string;
  model: MonitoringModel;
  scraping: ScrapingSpec;
}

function cases(): Case[] {
  const fromEnvironments = (file: string, environments: ResolvedEnvironment[]) =>
    environments.filter((e) => e.settings.scraping).map((e) => ({ title: `${path.basename(file)} / ${e.name}`, model: e.model, scraping: e.settings.scraping! }));
  const sink = resolveModel(KITCHEN_SINK, blueprintCatalog).environments;
  return [...fromEnvironments(EXAMPLES.sportsCoach, loadExample(EXAMPLES.sportsCoach).environments), ...fromEnvironments("kitchen-sink", sink)];
}

/** Every object the Kubernetes API would list for the model, at distinct fake addresses. */
function simulatedCluster(model: MonitoringModel, namespace: string): DiscoveredObject[] {
  let n = 0;
  const address = () => `10.0.0.${++n}:${9000 + n}`;
  return [...exporterEndpoints(model, namespace, address), ...servicePods(model, address)];
}

/** Fields of upstream Prometheus' kubernetes SDConfig we use, and the roles it knows (discovery/kubernetes). */
const KUBERNETES_SD_FIELDS = ["role", "namespaces"];
const KUBERNETES_SD_ROLES = ["endpoints", "endpointslice", "pod", "service", "node", "ingress"];

const CASES = cases();

test("the example deploys scraping in every environment, both modes among them", () => {
  expect(CASES.filter((c) => c.title.startsWith("sports-coach")).map((c) => `${c.title}: ${c.scraping.mode}`)).toEqual([
    "sports-coach.yaml / dev: prometheus-agent",
    "sports-coach.yaml / prod: managed-collector",
    "sports-coach.yaml / staging: managed-collector",
  ]);
});

describe.each(CASES)("$title", ({ model, scraping }) => {
  const dir = tempDir("scrape-config");
  const namespace = scraping.kubernetes.namespace;
  const cluster = simulatedCluster(model, namespace);
  const rendered = {
    "managed collector": managedCollectorConfiguration(model, scraping),
    "prometheus agent": prometheusAgentConfiguration(model, scraping, { url: REMOTE_WRITE, region: "us-east-1" }),
  };

  test.each(Object.entries(rendered))("promtool check config: %s", (name, config) => {
    const file = path.join(dir, `${name.replace(/ /g, "-")}.yml`);
    writeFileSync(file, withSimulatedDiscovery(config, cluster));
    expect(run(PROMTOOL, ["check", "config", file])).toContain("SUCCESS");
  });

  test("kubernetes_sd_configs use only what upstream's Kubernetes SD reads", () => {
    for (const config of Object.values(rendered)) {
      const jobs = (yaml.load(config) as { scrape_configs: ScrapeJob[] }).scrape_configs;
      for (const sd of jobs.flatMap((j) => j.kubernetes_sd_configs ?? [])) {
        expect(Object.keys(sd).filter((k) => !KUBERNETES_SD_FIELDS.includes(k))).toEqual([]);
        expect(KUBERNETES_SD_ROLES).toContain(sd.role);
        expect(Object.keys(sd.namespaces)).toEqual(["names"]);
        expect(sd.namespaces.names.length).toBeGreaterThan(0);
      }
    }
  });

  test("the agent adds remote write with SigV4 and its own metrics; the collector's jobs are the same", () => {
    const agent = yaml.load(rendered["prometheus agent"]) as any;
    const collector = yaml.load(rendered["managed collector"]) as any;
    expect(agent.remote_write).toEqual([{ url: REMOTE_WRITE, sigv4: { region: "us-east-1" }, queue_config: expect.any(Object) }]);
    expect(collector.remote_write).toBeUndefined();
    expect(agent.scrape_configs.slice(0, -1)).toEqual(collector.scrape_configs);
    expect(agent.scrape_configs.at(-1)).toEqual({ job_name: "prometheus-agent", static_configs: [{ targets: ["localhost:9090"] }] });
    expect(collector.global).toEqual({ scrape_interval: scraping.interval });
  });

  test("promtool check service-discovery: each job keeps its own target, labelled with its service's selector", async () => {
    const file = path.join(dir, "discovery.yml");
    writeFileSync(file, withSimulatedDiscovery(rendered["managed collector"], cluster));
    const jobs = scrapeJobs(model, namespace);
    const results = await Promise.all(
      jobs.map(async (job) => {
        const { stdout } = await exec(PROMTOOL, ["check", "service-discovery", "--timeout=100ms", file, job.job_name], { maxBuffer: 16 << 20 });
        const kept = (JSON.parse(stdout) as Array<{ labels: Record<string, string> }>).map((t) => t.labels).filter((l) => Object.keys(l).length > 0);
        return { job: job.job_name, kept };
      }),
    );
    const visible = (labels: Record<string, string>) =>
      Object.fromEntries(Object.entries(labels).filter(([k]) => !k.startsWith("__") || ["__param_module", "__param_target", "__metrics_path__", "__scheme__"].includes(k)));
    const actual = Object.fromEntries(results.map((r) => [r.job, r.kept.map(visible)]));
    expect(actual).toEqual(expectedTargets(model, cluster));
  });

  test("blackbox-exporter accepts the generated modules", () => {
    const file = path.join(dir, "blackbox.yml");
    writeFileSync(file, blackboxConfig(model));
    // --config.check exits non-zero (and `run` throws with its log) on a module it rejects.
    expect(() => run(BLACKBOX, ["--config.check", `--config.file=${file}`])).not.toThrow();
  });
});

/** What each job must scrape, from the model's own words: selector labels on every series. */
function expectedTargets(model: MonitoringModel, cluster: DiscoveredObject[]): Record<string, Array<Record<string, string>>> {
  const out: Record<string, Array<Record<string, string>>> = {};
  const plain = (scheme = "http", metricsPath = "/metrics") => ({ __metrics_path__: metricsPath, __scheme__: scheme });
  for (const [service, svc] of Object.entries(model.services)) {
    const job = { job: service, ...svc.selector };
    if (svc.exporter) {
      const workload = exporterWorkloads(model).find((w) => w.service === service)!;
      expect(workload.name).toBe(exporterObjectName(service));
      out[service] = [{ ...plain(), ...job, instance: svc.kind === "host" ? SIMULATED_NODE : service }];
    }
    if (svc.scrape) {
      const pod = cluster.find((o) => o.source.service === service)!;
      out[service] = [{ ...plain(svc.scrape.scheme, svc.scrape.path), ...job, namespace: svc.scrape.namespace, instance: pod.labels.__meta_kubernetes_pod_name }];
    }
    [...(svc.health?.urls ?? [])].sort().forEach((url, i) => {
      out[`${service}/health/${i + 1}`] = [{ ...plain("http", "/probe"), __param_module: service, __param_target: url, job: PROBE_JOB, service, instance: url }];
    });
  }
  return out;
}
