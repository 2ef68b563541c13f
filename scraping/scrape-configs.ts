// Model → Prometheus scrape configuration, the same jobs for the AMP managed collector and for the
// Prometheus agent. Targets are found through the Kubernetes API; relabeling gives every series the
// labels of its service's `selector`, so the blueprint rules select exactly what was scraped.
import { dumpYaml } from "../alerts/routing";
import { BLACKBOX_EXPORTER_NAME, PROMETHEUS_AGENT_NAME } from "../model/scraping-checks";
import { MonitoringModel, ScrapingSpec } from "../model/schema";
import { healthProbes } from "./blackbox";
import { METRICS_PORT_NAME, exporterWorkloads } from "./exporters";

export interface RelabelConfig {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: "replace" | "keep" | "drop";
}

export interface KubernetesSdConfig {
  role: "endpoints" | "pod";
  namespaces: { names: string[] };
}

export interface ScrapeJob {
  job_name: string;
  metrics_path?: string;
  scheme?: "http" | "https";
  kubernetes_sd_configs?: KubernetesSdConfig[];
  static_configs?: Array<{ targets: string[]; labels?: Record<string, string> }>;
  relabel_configs?: RelabelConfig[];
}

/** Label value for the `job` of every blackbox probe; `service` and `instance` (the URL) tell them apart. */
export const PROBE_JOB = "blackbox";

/** RE2 (Prometheus relabel regexes are anchored RE2) matching exactly `text`. */
export function regexLiteral(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** A relabel replacement that is exactly `text` (`$` would start a group reference). */
function replacementLiteral(text: string): string {
  return text.replace(/\$/g, "$$$$");
}

/** Kubernetes SD exposes labels as __meta_kubernetes_<object>_label_<name>, non-alphanumerics as '_'. */
export function kubernetesMetaLabel(object: "pod" | "service", label: string): string {
  return `__meta_kubernetes_${object}_label_${label.replace(/[^a-zA-Z0-9_]/g, "_")}`;
}

const setLabel = (target_label: string, value: string): RelabelConfig => ({ target_label, replacement: replacementLiteral(value) });
const copyLabel = (source: string, target_label: string): RelabelConfig => ({ source_labels: [source], target_label });
const keep = (source_labels: string[], values: string[]): RelabelConfig => ({ source_labels, regex: values.map(regexLiteral).join(";"), action: "keep" });

/** The service's selector labels on every series of the job. */
function selectorLabels(selector: Record<string, string>): RelabelConfig[] {
  return Object.keys(selector)
    .sort()
    .map((k) => setLabel(k, selector[k]));
}

/** Endpoints of one of our exporters' Services in the monitoring namespace. */
function exporterEndpoints(namespace: string, serviceName: string): { kubernetes_sd_configs: KubernetesSdConfig[]; relabel_configs: RelabelConfig[] } {
  return {
    kubernetes_sd_configs: [{ role: "endpoints", namespaces: { names: [namespace] } }],
    relabel_configs: [keep(["__meta_kubernetes_service_name", "__meta_kubernetes_endpoint_port_name"], [serviceName, METRICS_PORT_NAME])],
  };
}

export function scrapeJobs(model: MonitoringModel, namespace: string): ScrapeJob[] {
  const jobs: ScrapeJob[] = [];
  for (const workload of exporterWorkloads(model)) {
    if (!workload.service) continue;
    const svc = model.services[workload.service];
    const discovered = exporterEndpoints(namespace, workload.name);
    jobs.push({
      job_name: workload.service,
      ...discovered,
      relabel_configs: [
        ...discovered.relabel_configs,
        ...selectorLabels(svc.selector),
        // Hosts by node name; a database or cache is one instance whatever pod exports it.
        workload.kind === "node-exporter" ? copyLabel("__meta_kubernetes_endpoint_node_name", "instance") : setLabel("instance", workload.service),
      ],
    });
  }

  for (const service of Object.keys(model.services).sort()) {
    const svc = model.services[service];
    if (!svc.scrape) continue;
    const { namespace: podNamespace, pod_labels, port, path, scheme } = svc.scrape;
    const labels = Object.keys(pod_labels).sort();
    jobs.push({
      job_name: service,
      metrics_path: path,
      scheme,
      kubernetes_sd_configs: [{ role: "pod", namespaces: { names: [podNamespace] } }],
      relabel_configs: [
        keep(labels.map((l) => kubernetesMetaLabel("pod", l)), labels.map((l) => pod_labels[l])),
        keep([typeof port === "number" ? "__meta_kubernetes_pod_container_port_number" : "__meta_kubernetes_pod_container_port_name"], [String(port)]),
        { source_labels: ["__meta_kubernetes_pod_phase"], regex: "Succeeded|Failed", action: "drop" },
        ...selectorLabels(svc.selector),
        copyLabel("__meta_kubernetes_namespace", "namespace"),
        copyLabel("__meta_kubernetes_pod_name", "instance"),
      ],
    });
  }

  // One job per URL: the collector finds blackbox-exporter through the Kubernetes API (it cannot
  // resolve cluster DNS), so each job's single discovered target carries one URL to probe.
  const perService = new Map<string, number>();
  for (const probe of healthProbes(model)) {
    const n = (perService.get(probe.service) ?? 0) + 1;
    perService.set(probe.service, n);
    const discovered = exporterEndpoints(namespace, BLACKBOX_EXPORTER_NAME);
    jobs.push({
      job_name: `${probe.service}/health/${n}`,
      metrics_path: "/probe",
      ...discovered,
      relabel_configs: [
        ...discovered.relabel_configs,
        setLabel("__param_module", probe.service),
        setLabel("__param_target", probe.url),
        setLabel("job", PROBE_JOB),
        setLabel("service", probe.service),
        setLabel("instance", probe.url),
      ],
    });
  }
  return jobs.sort((a, b) => a.job_name.localeCompare(b.job_name));
}

/** What the AMP managed collector scrapes: global settings and jobs only (it writes to its workspace itself). */
export function managedCollectorConfiguration(model: MonitoringModel, scraping: ScrapingSpec): string {
  return dumpYaml({ global: { scrape_interval: scraping.interval }, scrape_configs: scrapeJobs(model, scraping.kubernetes.namespace) });
}

export interface RemoteWrite {
  url: string;
  region: string;
}

/** The agent's prometheus.yml: the same jobs, its own metrics, remote write to AMP signed with SigV4. */
export function prometheusAgentConfiguration(model: MonitoringModel, scraping: ScrapingSpec, remoteWrite: RemoteWrite): string {
  const self: ScrapeJob = { job_name: PROMETHEUS_AGENT_NAME, static_configs: [{ targets: ["localhost:9090"] }] };
  return dumpYaml({
    global: { scrape_interval: scraping.interval },
    scrape_configs: [...scrapeJobs(model, scraping.kubernetes.namespace), self],
    remote_write: [
      {
        url: remoteWrite.url,
        sigv4: { region: remoteWrite.region },
        // AMP's recommended queue settings for its ingestion limits.
        queue_config: { max_samples_per_send: 1000, max_shards: 200, capacity: 2500 },
      },
    ],
  });
}

/** The remote-write URL of an AMP workspace, from its Prometheus endpoint (which ends in '/'). */
export function ampRemoteWriteUrl(prometheusEndpoint: string): string {
  return `${prometheusEndpoint}api/v1/remote_write`;
}

/** The Kubernetes user the managed collector's IAM role maps to, and its ClusterRole (names from the AMP guide). */
export const AMP_COLLECTOR_KUBERNETES_USER = "aps-collector-user";
export const AMP_COLLECTOR_CLUSTER_ROLE = "aps-collector-role";

export function eksClusterName(clusterArn: string): string {
  return clusterArn.slice(clusterArn.indexOf(":cluster/") + ":cluster/".length);
}
