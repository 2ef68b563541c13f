// Validation of what scraping needs: per service (exporter, scrape, health fit the kind) and per
// environment (the chosen mode has what it needs, ARNs belong to the environment, names fit Kubernetes).
import { ModelPath } from "./errors";
import { EnvironmentSpec, MonitoringModel, ServiceKind } from "./schema";

type Report = (path: ModelPath, message: string, hint?: string) => void;

/** Service kinds whose metrics come from an exporter we deploy, and what it is. */
export const EXPORTER_KINDS = { postgres: "postgres-exporter", redis: "redis-exporter", host: "node-exporter" } as const satisfies Partial<Record<ServiceKind, string>>;

export function exporterOf(kind: ServiceKind): (typeof EXPORTER_KINDS)[keyof typeof EXPORTER_KINDS] | undefined {
  return kind in EXPORTER_KINDS ? EXPORTER_KINDS[kind as keyof typeof EXPORTER_KINDS] : undefined;
}
/** Shared workloads in the monitoring namespace; no service's exporter may take these names. */
export const BLACKBOX_EXPORTER_NAME = "blackbox-exporter";
export const PROMETHEUS_AGENT_NAME = "prometheus-agent";
export const DEFAULT_NODE_EXPORTER_PORT = 9100;

/** Kubernetes name of a service's exporter workload, Service and the like. */
export function exporterObjectName(service: string): string {
  return `${service}-exporter`;
}

/** The IRSA role of an environment's Prometheus agent. */
export function prometheusAgentRoleName(project: string, env: string): string {
  return `${project}-${env}-${PROMETHEUS_AGENT_NAME}`;
}

export function checkServiceScraping(model: MonitoringModel, root: ModelPath, report: Report): void {
  for (const [name, svc] of Object.entries(model.services)) {
    const p = [...root, "services", name];
    const exporter = exporterOf(svc.kind);
    if (svc.exporter && !exporter)
      report([...p, "exporter"], `kind ${svc.kind} has no exporter: its own endpoint is scraped`, "use scrape: {namespace, pod_labels, port} instead");
    if (svc.exporter && svc.scrape) report([...p, "scrape"], "a service is scraped either through its exporter or from its own endpoint, not both", "remove exporter or scrape");
    if (svc.exporter && exporter) {
      const needsConnection = svc.kind !== "host";
      if (needsConnection && !svc.exporter.connection_secret)
        report([...p, "exporter", "connection_secret"], `missing required key (${exporter} connects with it)`, `name the Kubernetes Secret key holding the ${svc.kind === "postgres" ? "DSN, e.g. postgresql://user:password@host:5432/db?sslmode=require" : "redis:// or rediss:// URL"}`);
      if (!needsConnection && svc.exporter.connection_secret) report([...p, "exporter", "connection_secret"], "node-exporter reads the host, it has no connection", "remove connection_secret");
      for (const key of ["node_selector", "port"] as const)
        if (needsConnection && svc.exporter[key] !== undefined) report([...p, "exporter", key], `${key} applies to host services (node-exporter) only`);
    }
    if (svc.health) {
      if (svc.kind !== "http-api") report([...p, "health"], `health checks are probed for http-api services; ${name} is ${svc.kind}`);
      const seen = new Set<string>();
      svc.health.urls.forEach((url, i) => {
        if (seen.has(url)) report([...p, "health", "urls", i], `duplicate health URL ${url}`);
        seen.add(url);
      });
      if (svc.health.body_regexp !== undefined && !compiles(svc.health.body_regexp)) report([...p, "health", "body_regexp"], "expected a regular expression");
    }
  }
}

/** Checks one environment's `scraping` against the environment and its resolved services. */
export function checkEnvironmentScraping(project: string, env: string, settings: EnvironmentSpec, model: MonitoringModel, report: Report): void {
  const scraping = settings.scraping;
  if (!scraping) return;
  const p: ModelPath = ["environments", env, "scraping"];
  const arnParts = (arn: string) => arn.split(":"); // arn:partition:service:region:account:resource

  if (scraping.mode === "managed-collector") {
    if (!scraping.eks) report([...p, "eks"], "missing required key (the managed collector scrapes an EKS cluster)", "give eks: {cluster_arn, subnet_ids, security_group_ids}, or use mode: prometheus-agent");
    if (scraping.agent) report([...p, "agent"], "agent settings apply to mode prometheus-agent only", "remove agent");
  } else {
    if (!scraping.agent) report([...p, "agent"], "missing required key (the agent's IAM role trusts the cluster's OIDC provider)", "give agent: {oidc_provider_arn}");
    if (scraping.eks) report([...p, "eks"], "eks applies to mode managed-collector only", "remove eks; set kubernetes.config_context");
  }
  if (scraping.eks) {
    const [, , , region, account] = arnParts(scraping.eks.cluster_arn);
    if (region !== settings.region || account !== settings.account)
      report([...p, "eks", "cluster_arn"], `the cluster is in ${region}/${account}, the environment in ${settings.region}/${settings.account}`, "the collector runs in the workspace's account and region, next to the cluster");
  }
  if (scraping.agent) {
    const account = arnParts(scraping.agent.oidc_provider_arn)[4];
    if (account !== settings.account) report([...p, "agent", "oidc_provider_arn"], `the OIDC provider is in account ${account}, the environment in ${settings.account}`, "IRSA needs the provider in the role's account");
    if (prometheusAgentRoleName(project, env).length > 64) report([...p, "agent"], `IAM role name ${prometheusAgentRoleName(project, env)} is longer than 64 characters`, "shorten the project or environment name");
  }
  if (!scraping.kubernetes.config_context && !scraping.eks)
    report([...p, "kubernetes", "config_context"], "missing required key (the kubeconfig context of the cluster)", "only the managed collector's EKS cluster ARN can stand in for it");

  const services = Object.entries(model.services);
  if (!services.some(([, s]) => s.exporter || s.scrape || s.health))
    report(p, "nothing to scrape: no service has exporter, scrape or health", "give services an exporter (postgres, redis, host), scrape (own endpoint) or health (http-api), or remove scraping");

  const reserved = new Set([BLACKBOX_EXPORTER_NAME, PROMETHEUS_AGENT_NAME]);
  const hostPorts: Array<{ name: string; port: number; nodes: string }> = [];
  for (const [name, svc] of services) {
    if (!svc.exporter) continue;
    const objectName = exporterObjectName(name);
    if (objectName.length > 63) report(["services", name], `Kubernetes name ${objectName} of its exporter is longer than 63 characters`, "shorten the service name");
    if (reserved.has(objectName)) report(["services", name], `its exporter's Kubernetes name ${objectName} is taken by a shared workload`, "rename the service");
    if (svc.kind !== "host") continue;
    // DaemonSets on the host network collide on a port unless they select different nodes.
    const entry = { name, port: svc.exporter.port ?? DEFAULT_NODE_EXPORTER_PORT, nodes: JSON.stringify(Object.entries(svc.exporter.node_selector ?? {}).sort()) };
    const clash = hostPorts.find((h) => h.port === entry.port && h.nodes === entry.nodes);
    if (clash) report(["services", name, "exporter", "port"], `node-exporters of ${clash.name} and ${name} would both listen on host port ${entry.port} on the same nodes`, "give one another exporter.port or a different node_selector");
    hostPorts.push(entry);
  }
}

function compiles(re: string): boolean {
  try {
    new RegExp(re);
    return true;
  } catch {
    return false;
  }
}
