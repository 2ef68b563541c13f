// One exporter in the cluster, as scraping/exporters.ts specifies it: a Deployment (or, for
// node-exporter, a DaemonSet on every node), its ConfigMap if it has files, and its Service.
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DaemonSetV1 } from "@cdktf/provider-kubernetes/lib/daemon-set-v1";
import { DeploymentV1, DeploymentV1SpecTemplate } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Construct } from "constructs";
import { ExporterWorkload } from "../scraping/exporters";
import { CONFIG_DIGEST_ANNOTATION, configDigest, hardenedContainer, metricsService, podSecurityContext, selectorLabels } from "./kubernetes-pod";

export interface KubernetesExporterProps {
  namespace: string;
  workload: ExporterWorkload;
}

export class KubernetesExporter extends Construct {
  readonly service: ServiceV1;

  constructor(scope: Construct, id: string, props: KubernetesExporterProps) {
    super(scope, id);
    const { workload: w, namespace } = props;
    const metadata = { name: w.name, namespace, labels: w.labels };

    if (w.config) new ConfigMapV1(this, "config", { metadata, data: w.config.files });
    const volumes = [
      ...(w.hostAccess?.mounts.map((m) => ({ name: m.name, hostPath: { path: m.hostPath, type: "Directory" } })) ?? []),
      ...(w.config ? [{ name: "config", configMap: { name: w.name } }] : []),
    ];
    const mounts = [
      // HostToContainer: file systems mounted on the node later show up too.
      ...(w.hostAccess?.mounts.map((m) => ({ name: m.name, mountPath: m.mountPath, ...(m.name === "root" ? { mountPropagation: "HostToContainer" } : {}) })) ?? []),
      ...(w.config ? [{ name: "config", mountPath: w.config.dir }] : []),
    ];

    const template: DeploymentV1SpecTemplate = {
      metadata: { labels: w.labels, annotations: w.config ? { [CONFIG_DIGEST_ANNOTATION]: configDigest(w.config.files) } : undefined },
      spec: {
        automountServiceAccountToken: false,
        // Only node-exporter sees the node: its network (real interface stats) and its processes.
        hostNetwork: w.hostAccess ? true : undefined,
        hostPid: w.hostAccess ? true : undefined,
        nodeSelector: w.nodeSelector,
        // Every node, tainted or not, is a host to watch.
        toleration: w.hostAccess ? [{ operator: "Exists" }] : undefined,
        securityContext: podSecurityContext,
        container: [
          hardenedContainer({
            name: w.kind,
            image: w.image,
            args: w.args,
            port: w.port,
            healthPath: w.healthPath,
            resources: w.resources,
            env: w.secretEnv.length > 0 ? w.secretEnv.map((e) => ({ name: e.name, valueFrom: { secretKeyRef: { name: e.secret.name, key: e.secret.key } } })) : undefined,
            volumeMounts: mounts,
            hostPort: Boolean(w.hostAccess),
          }),
        ],
        volume: volumes.length > 0 ? volumes : undefined,
      },
    };
    const spec = { selector: { matchLabels: selectorLabels(w.labels) }, template };
    if (w.controller === "DaemonSet") new DaemonSetV1(this, "daemonset", { metadata, spec: { ...spec, strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%" } } } });
    else new DeploymentV1(this, "deployment", { metadata, spec: { ...spec, replicas: "1" } });
    this.service = metricsService(this, "service", { name: w.name, namespace, labels: w.labels, port: w.port });
  }
}
