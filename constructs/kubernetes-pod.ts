// The hardening every pod of this project gets, in one place: non-root, read-only root file
// system, no capabilities, no privilege escalation, the runtime's default seccomp profile,
// requests and limits, and HTTP liveness/readiness probes on the metrics port.
import {
  DeploymentV1SpecTemplateSpecContainer,
  DeploymentV1SpecTemplateSpecSecurityContext,
} from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Construct } from "constructs";
import { createHash } from "node:crypto";
import { METRICS_PORT_NAME } from "../scraping/exporters";

/** `nobody`: the user the upstream images run as, numeric so the kubelet can verify runAsNonRoot. */
export const NON_ROOT_UID = "65534";
/** Annotation holding a digest of mounted configuration: a change rolls the pods. */
export const CONFIG_DIGEST_ANNOTATION = "monitoring-stack/config-sha256";

export const podSecurityContext: DeploymentV1SpecTemplateSpecSecurityContext = {
  runAsNonRoot: true,
  runAsUser: NON_ROOT_UID,
  runAsGroup: NON_ROOT_UID,
  fsGroup: NON_ROOT_UID,
  seccompProfile: { type: "RuntimeDefault" },
};

export interface ContainerSpec {
  name: string;
  image: string;
  args: string[];
  port: number;
  healthPath: string;
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  env?: DeploymentV1SpecTemplateSpecContainer["env"];
  volumeMounts?: Array<{ name: string; mountPath: string; mountPropagation?: string }>;
  /** Host-network pods publish their port on the node. */
  hostPort?: boolean;
}

/** A hardened container; every volume it mounts is read-only unless it is scratch space (emptyDir). */
export function hardenedContainer(spec: ContainerSpec, writableMounts: string[] = []): DeploymentV1SpecTemplateSpecContainer {
  const probe = { httpGet: { path: spec.healthPath, port: METRICS_PORT_NAME }, periodSeconds: 10, timeoutSeconds: 5 };
  return {
    name: spec.name,
    image: spec.image,
    imagePullPolicy: "IfNotPresent",
    args: spec.args,
    env: spec.env,
    port: [{ name: METRICS_PORT_NAME, containerPort: spec.port, protocol: "TCP", ...(spec.hostPort ? { hostPort: spec.port } : {}) }],
    resources: spec.resources,
    livenessProbe: { ...probe, failureThreshold: 6 },
    readinessProbe: { ...probe, failureThreshold: 3 },
    securityContext: {
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ["ALL"] },
    },
    volumeMount: spec.volumeMounts?.map((m) => ({ ...m, readOnly: !writableMounts.includes(m.name) })),
  };
}

/** sha256 of configuration files, stable under key order. */
export function configDigest(files: Record<string, string>): string {
  const hash = createHash("sha256");
  for (const name of Object.keys(files).sort()) hash.update(`${name}\0${files[name]}\0`);
  return hash.digest("hex");
}

/** The workload's label subset that selects its pods (selectors are immutable, so never more). */
export function selectorLabels(labels: Record<string, string>): Record<string, string> {
  return { "app.kubernetes.io/instance": labels["app.kubernetes.io/instance"], "app.kubernetes.io/name": labels["app.kubernetes.io/name"] };
}

/**
 * A headless Service over the pods' metrics port: scrapers discover its endpoints through the
 * Kubernetes API and reach pods directly, so no virtual IP is needed.
 */
export function metricsService(scope: Construct, id: string, props: { name: string; namespace: string; labels: Record<string, string>; port: number }): ServiceV1 {
  return new ServiceV1(scope, id, {
    metadata: { name: props.name, namespace: props.namespace, labels: props.labels },
    spec: {
      clusterIp: "None",
      selector: selectorLabels(props.labels),
      port: [{ name: METRICS_PORT_NAME, port: props.port, targetPort: METRICS_PORT_NAME, protocol: "TCP" }],
    },
  });
}
