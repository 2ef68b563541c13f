// A Prometheus in agent mode: discovers targets through the Kubernetes API, scrapes them and
// remote-writes to AMP, signing with SigV4 as an IAM role assumed with its service-account token.
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { Construct } from "constructs";
import { workloadLabels } from "../scraping/exporters";
import { CONFIG_DIGEST_ANNOTATION, hardenedContainer, metricsService, podSecurityContext, selectorLabels } from "./kubernetes-pod";

export interface KubernetesPrometheusAgentProps {
  name: string;
  namespace: string;
  image: string;
  /** prometheus.yml (may hold a reference to the workspace's endpoint, resolved by Terraform). */
  config: string;
  /** Digest of what the config says, so a change rolls the pod. */
  configDigest: string;
  /** The IAM role to assume; its trust policy names this namespace and service account. */
  roleArn: string;
  region: string;
}

const PORT = 9090;
const CONFIG_DIR = "/etc/prometheus";
const WAL_DIR = "/prometheus";
const TOKEN_DIR = "/var/run/secrets/eks.amazonaws.com/serviceaccount";

export class KubernetesPrometheusAgent extends Construct {
  readonly serviceAccount: ServiceAccountV1;

  constructor(scope: Construct, id: string, props: KubernetesPrometheusAgentProps) {
    super(scope, id);
    const labels = workloadLabels("prometheus", "agent", props.name);
    const metadata = { name: props.name, namespace: props.namespace, labels };

    this.serviceAccount = new ServiceAccountV1(this, "service-account", { metadata });
    // Read-only discovery of what the scrape jobs look for.
    const role = new ClusterRoleV1(this, "cluster-role", {
      metadata: { name: props.name, labels },
      rule: [
        { apiGroups: [""], resources: ["endpoints", "pods", "services"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
      ],
    });
    new ClusterRoleBindingV1(this, "cluster-role-binding", {
      metadata: { name: props.name, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role.metadata.name },
      subject: [{ kind: "ServiceAccount", name: this.serviceAccount.metadata.name, namespace: props.namespace }],
    });
    new ConfigMapV1(this, "config", { metadata, data: { "prometheus.yml": props.config } });

    new DeploymentV1(this, "deployment", {
      metadata,
      spec: {
        replicas: "1",
        // Two agents would send every sample twice; the WAL is scratch space.
        strategy: { type: "Recreate" },
        selector: { matchLabels: selectorLabels(labels) },
        template: {
          metadata: { labels, annotations: { [CONFIG_DIGEST_ANNOTATION]: props.configDigest } },
          spec: {
            serviceAccountName: this.serviceAccount.metadata.name,
            securityContext: podSecurityContext,
            container: [
              hardenedContainer(
                {
                  name: "prometheus",
                  image: props.image,
                  args: ["--agent", `--config.file=${CONFIG_DIR}/prometheus.yml`, `--storage.agent.path=${WAL_DIR}`, `--web.listen-address=:${PORT}`],
                  port: PORT,
                  healthPath: "/-/healthy",
                  resources: { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } },
                  // IRSA set up explicitly rather than by EKS's pod identity webhook, so it works on any
                  // cluster whose service-account issuer is registered as an IAM OIDC provider.
                  env: [
                    { name: "AWS_ROLE_ARN", value: props.roleArn },
                    { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: `${TOKEN_DIR}/token` },
                    { name: "AWS_REGION", value: props.region },
                    { name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" },
                  ],
                  volumeMounts: [
                    { name: "config", mountPath: CONFIG_DIR },
                    { name: "wal", mountPath: WAL_DIR },
                    { name: "aws-iam-token", mountPath: TOKEN_DIR },
                  ],
                },
                ["wal"],
              ),
            ],
            volume: [
              { name: "config", configMap: { name: props.name } },
              { name: "wal", emptyDir: { sizeLimit: "2Gi" } },
              { name: "aws-iam-token", projected: [{ sources: [{ serviceAccountToken: { audience: "sts.amazonaws.com", expirationSeconds: 86400, path: "token" } }] }] },
            ],
          },
        },
      },
    });
    metricsService(this, "service", { name: props.name, namespace: props.namespace, labels, port: PORT });
  }
}
