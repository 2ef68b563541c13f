// What the Kubernetes stack deploys for a model: one exporter workload per postgres, redis and
// host service with an `exporter`, and one blackbox-exporter for all health checks. Pure data:
// the constructs turn it into manifests, the e2e test runs the same binaries with the same flags.
import { BLACKBOX_EXPORTER_NAME, DEFAULT_NODE_EXPORTER_PORT, EXPORTER_KINDS, exporterObjectName, exporterOf } from "../model/scraping-checks";
import { KubernetesSecretKeyRefSpec, MonitoringModel } from "../model/schema";
import { blackboxConfig, healthProbes } from "./blackbox";
import { IMAGES } from "./images";

/** The exporter of a service kind, and blackbox-exporter for health checks. */
export type ServiceExporterKind = (typeof EXPORTER_KINDS)[keyof typeof EXPORTER_KINDS];
export type ExporterKind = ServiceExporterKind | "blackbox-exporter";

/** The port every exporter's Kubernetes Service names; scrape jobs keep only endpoints of this name. */
export const METRICS_PORT_NAME = "metrics";

/** Where an exporter finds what it reads and where it listens: in its pod, or on a test machine. */
export interface ExporterRuntime {
  listenAddress: string;
  /** node-exporter: where the host's /proc, /sys and / are visible. */
  host: { proc: string; sys: string; root: string };
  /** Where the workload's `config` files are. */
  configDir: string;
}

const BLACKBOX_CONFIG_DIR = "/etc/blackbox-exporter";
const BLACKBOX_CONFIG_FILE = "blackbox.yml";

/** Inside the pods: host file systems under /host (read-only hostPath mounts), config files from a ConfigMap. */
export function inPodRuntime(port: number): ExporterRuntime {
  return { listenAddress: `:${port}`, host: { proc: "/host/proc", sys: "/host/sys", root: "/host/root" }, configDir: BLACKBOX_CONFIG_DIR };
}

/** Command-line flags; the same for the pinned images and the Debian packages the e2e test runs. */
export function exporterArgs(kind: ExporterKind, runtime: ExporterRuntime): string[] {
  const listen = `--web.listen-address=${runtime.listenAddress}`;
  switch (kind) {
    case "node-exporter":
      return [
        listen,
        `--path.procfs=${runtime.host.proc}`,
        `--path.sysfs=${runtime.host.sys}`,
        `--path.rootfs=${runtime.host.root}`,
        // Pod volumes and container layers are not the node's disks.
        "--collector.filesystem.mount-points-exclude=^/(dev|proc|sys|run|var/lib/docker/.+|var/lib/containerd/.+|var/lib/kubelet/.+)($|/)",
        "--web.disable-exporter-metrics",
      ];
    case "postgres-exporter":
      return [listen, "--log.format=json"];
    case "redis-exporter":
      return [listen, "--log-format=json"];
    case "blackbox-exporter":
      return [listen, `--config.file=${runtime.configDir}/${BLACKBOX_CONFIG_FILE}`, "--log.format=json"];
  }
}

export interface ResourceSpec {
  requests: { cpu: string; memory: string };
  limits: { cpu: string; memory: string };
}

export interface ExporterWorkload {
  /** Kubernetes name of the workload and its Service. */
  name: string;
  kind: ExporterKind;
  /** The model service it exports (none for the shared blackbox-exporter). */
  service?: string;
  controller: "DaemonSet" | "Deployment";
  image: string;
  port: number;
  args: string[];
  /** Environment variables read from Kubernetes Secrets (never values). */
  secretEnv: Array<{ name: string; secret: KubernetesSecretKeyRefSpec }>;
  labels: Record<string, string>;
  /** Answers 200 while the exporter serves; used for liveness and readiness. */
  healthPath: string;
  resources: ResourceSpec;
  /** node-exporter only: host network and PID namespace, host file systems mounted read-only. */
  hostAccess?: { mounts: Array<{ name: string; hostPath: string; mountPath: string }> };
  nodeSelector?: Record<string, string>;
  /** Files of a ConfigMap mounted read-only at `dir`. */
  config?: { dir: string; files: Record<string, string> };
}

/** Standard Kubernetes labels of everything this project deploys. */
export function workloadLabels(name: string, component: string, instance: string): Record<string, string> {
  return {
    "app.kubernetes.io/component": component,
    "app.kubernetes.io/instance": instance,
    "app.kubernetes.io/managed-by": "monitoring-stack",
    "app.kubernetes.io/name": name,
  };
}

const SMALL: ResourceSpec = { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } };

const EXPORTERS: Record<ServiceExporterKind, { image: string; port: number; healthPath: string; resources: ResourceSpec; connectionEnv?: string }> = {
  "node-exporter": { image: IMAGES.nodeExporter, port: DEFAULT_NODE_EXPORTER_PORT, healthPath: "/", resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "250m", memory: "128Mi" } } },
  "postgres-exporter": { image: IMAGES.postgresExporter, port: 9187, healthPath: "/", resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } }, connectionEnv: "DATA_SOURCE_NAME" },
  "redis-exporter": { image: IMAGES.redisExporter, port: 9121, healthPath: "/health", resources: SMALL, connectionEnv: "REDIS_ADDR" },
};
const BLACKBOX = { image: IMAGES.blackboxExporter, port: 9115, healthPath: "/-/healthy", resources: SMALL };

/** Every exporter the model needs, sorted by name. */
export function exporterWorkloads(model: MonitoringModel): ExporterWorkload[] {
  const out: ExporterWorkload[] = [];
  for (const service of Object.keys(model.services).sort()) {
    const svc = model.services[service];
    const kind = exporterOf(svc.kind);
    if (!svc.exporter || !kind) continue;
    const spec = EXPORTERS[kind];
    const name = exporterObjectName(service);
    const port = kind === "node-exporter" ? (svc.exporter.port ?? spec.port) : spec.port;
    const connection = svc.exporter.connection_secret;
    out.push({
      name,
      kind,
      service,
      controller: kind === "node-exporter" ? "DaemonSet" : "Deployment",
      image: spec.image,
      port,
      args: exporterArgs(kind, inPodRuntime(port)),
      secretEnv: spec.connectionEnv && connection ? [{ name: spec.connectionEnv, secret: connection }] : [],
      labels: workloadLabels(kind, "exporter", name),
      healthPath: spec.healthPath,
      resources: spec.resources,
      ...(kind === "node-exporter"
        ? {
            hostAccess: {
              mounts: [
                { name: "proc", hostPath: "/proc", mountPath: "/host/proc" },
                { name: "sys", hostPath: "/sys", mountPath: "/host/sys" },
                { name: "root", hostPath: "/", mountPath: "/host/root" },
              ],
            },
            nodeSelector: svc.exporter.node_selector,
          }
        : {}),
    });
  }
  if (healthProbes(model).length > 0)
    out.push({
      name: BLACKBOX_EXPORTER_NAME,
      kind: "blackbox-exporter",
      controller: "Deployment",
      image: BLACKBOX.image,
      port: BLACKBOX.port,
      args: exporterArgs("blackbox-exporter", inPodRuntime(BLACKBOX.port)),
      secretEnv: [],
      labels: workloadLabels("blackbox-exporter", "exporter", BLACKBOX_EXPORTER_NAME),
      healthPath: BLACKBOX.healthPath,
      resources: BLACKBOX.resources,
      config: { dir: BLACKBOX_CONFIG_DIR, files: { [BLACKBOX_CONFIG_FILE]: blackboxConfig(model) } },
    });
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
