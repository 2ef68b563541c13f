// Kubernetes service discovery, simulated: the targets and `__meta_kubernetes_*` labels Prometheus
// would get from the API for the Services the Kubernetes stack creates and the pods the model's
// `scrape` entries name. Swapping each job's kubernetes_sd_configs for these (as static_configs)
// lets the real promtool / Prometheus run the generated relabeling without a cluster. Every job is
// offered every object of its role and namespaces, as the API would, so its `keep` must pick.
import * as yaml from "js-yaml";
import { dumpYaml } from "../../alerts/routing";
import { MonitoringModel } from "../../model/schema";
import { ExporterWorkload, METRICS_PORT_NAME, exporterWorkloads } from "../../scraping/exporters";
import { KubernetesSdConfig, ScrapeJob, kubernetesMetaLabel } from "../../scraping/scrape-configs";

export interface DiscoveredObject {
  role: KubernetesSdConfig["role"];
  namespace: string;
  address: string;
  labels: Record<string, string>;
  /** What it stands for, for assertions: an exporter workload or a service's pod. */
  source: { workload?: ExporterWorkload; service?: string };
}

export const SIMULATED_NODE = "node-a";
/** Port the simulated app pods declare when the model names theirs. */
const NAMED_PORT_NUMBER = "8080";

/** Endpoints of every exporter Service in the monitoring namespace. */
export function exporterEndpoints(model: MonitoringModel, namespace: string, address: (w: ExporterWorkload) => string): DiscoveredObject[] {
  return exporterWorkloads(model).map((w) => ({
    role: "endpoints",
    namespace,
    address: address(w),
    labels: {
      __meta_kubernetes_namespace: namespace,
      __meta_kubernetes_service_name: w.name,
      ...Object.fromEntries(Object.entries(w.labels).map(([k, v]) => [kubernetesMetaLabel("service", k), v])),
      __meta_kubernetes_endpoint_port_name: METRICS_PORT_NAME,
      __meta_kubernetes_endpoint_port_protocol: "TCP",
      __meta_kubernetes_endpoint_ready: "true",
      __meta_kubernetes_endpoint_node_name: SIMULATED_NODE,
      __meta_kubernetes_pod_name: `${w.name}-0`,
    },
    source: { workload: w },
  }));
}

/** One running pod per service with `scrape`, declaring the port the model names. */
export function servicePods(model: MonitoringModel, address: (service: string) => string): DiscoveredObject[] {
  return Object.keys(model.services)
    .sort()
    .flatMap((service) => {
      const scrape = model.services[service].scrape;
      if (!scrape) return [];
      const port = typeof scrape.port === "number" ? { name: "web", number: String(scrape.port) } : { name: scrape.port, number: NAMED_PORT_NUMBER };
      return [
        {
          role: "pod" as const,
          namespace: scrape.namespace,
          address: address(service),
          labels: {
            __meta_kubernetes_namespace: scrape.namespace,
            __meta_kubernetes_pod_name: `${service}-0`,
            ...Object.fromEntries(Object.entries(scrape.pod_labels).map(([k, v]) => [kubernetesMetaLabel("pod", k), v])),
            __meta_kubernetes_pod_container_port_name: port.name,
            __meta_kubernetes_pod_container_port_number: port.number,
            __meta_kubernetes_pod_phase: "Running",
            __meta_kubernetes_pod_node_name: SIMULATED_NODE,
          },
          source: { service },
        },
      ];
    });
}

/** What one job's discovery would return. */
export function discoveredBy(job: ScrapeJob, objects: DiscoveredObject[]): DiscoveredObject[] {
  return (job.kubernetes_sd_configs ?? []).flatMap((sd) => objects.filter((o) => o.role === sd.role && sd.namespaces.names.includes(o.namespace)));
}

/** The configuration with every kubernetes_sd_configs replaced by static_configs of what it would discover. */
export function withSimulatedDiscovery(configYaml: string, objects: DiscoveredObject[]): string {
  const config = yaml.load(configYaml) as { scrape_configs: ScrapeJob[] };
  config.scrape_configs = config.scrape_configs.map((job) => {
    if (!job.kubernetes_sd_configs) return job;
    const { kubernetes_sd_configs: _sd, ...rest } = job;
    const targets = discoveredBy(job, objects).map((o) => ({ targets: [o.address], labels: o.labels }));
    return { ...rest, static_configs: targets.length > 0 ? targets : [{ targets: [] }] };
  });
  return dumpYaml(config);
}
