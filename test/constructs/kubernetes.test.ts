// The scraping constructs on their own, without the model (cdktf Testing matchers): the
// Kubernetes workloads and RBAC, and the AWS managed collector and agent role.
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { PrometheusScraper } from "@cdktf/provider-aws/lib/prometheus-scraper";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { ConfigMapV1 } from "@cdktf/provider-kubernetes/lib/config-map-v1";
import { DaemonSetV1 } from "@cdktf/provider-kubernetes/lib/daemon-set-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Testing } from "cdktf";
import { AmpScraper } from "../../constructs/amp-scraper";
import { KubernetesExporter } from "../../constructs/kubernetes-exporter";
import { configDigest } from "../../constructs/kubernetes-pod";
import { KubernetesPrometheusAgent } from "../../constructs/kubernetes-prometheus-agent";
import { KubernetesScraperAccess } from "../../constructs/kubernetes-scraper-access";
import { PrometheusAgentRole, iamRoleArn, oidcIssuer } from "../../constructs/prometheus-agent-role";
import { ExporterWorkload, exporterArgs, inPodRuntime, workloadLabels } from "../../scraping/exporters";

const parsed = (synth: string) => JSON.parse(synth);
const only = (synth: string, type: { tfResourceType: string }) => {
  const all = Object.values<any>(parsed(synth).resource[type.tfResourceType] ?? {});
  expect(all).toHaveLength(1);
  return all[0];
};

const redis: ExporterWorkload = {
  name: "cache-exporter",
  kind: "redis-exporter",
  service: "cache",
  controller: "Deployment",
  image: "example.org/redis_exporter:v1.0.0",
  port: 9121,
  args: exporterArgs("redis-exporter", inPodRuntime(9121)),
  secretEnv: [{ name: "REDIS_ADDR", secret: { name: "cache", key: "url" } }],
  labels: workloadLabels("redis-exporter", "exporter", "cache-exporter"),
  healthPath: "/health",
  resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "100m", memory: "64Mi" } },
};

describe("KubernetesExporter", () => {
  test("a Deployment without host access, service-account token or volumes, and its headless Service", () => {
    const synth = Testing.synthScope((scope) => new KubernetesExporter(scope, "cache", { namespace: "ops", workload: redis }));
    const deployment = only(synth, DeploymentV1);
    const spec = deployment.spec.template.spec;
    expect(deployment.metadata).toEqual({ name: "cache-exporter", namespace: "ops", labels: redis.labels });
    expect(deployment.spec.selector.match_labels).toEqual({ "app.kubernetes.io/instance": "cache-exporter", "app.kubernetes.io/name": "redis-exporter" });
    expect(spec.automount_service_account_token).toBe(false);
    expect([spec.host_network, spec.host_pid, spec.volume, spec.toleration]).toEqual([undefined, undefined, undefined, undefined]);
    expect(spec.container[0]).toMatchObject({ args: ["--web.listen-address=:9121", "--log-format=json"], port: [{ name: "metrics", container_port: 9121, protocol: "TCP" }] });
    expect(synth).toHaveResourceWithProperties(ServiceV1, { metadata: { name: "cache-exporter", namespace: "ops", labels: redis.labels }, spec: expect.objectContaining({ cluster_ip: "None" }) });
    expect(synth).not.toHaveResource(DaemonSetV1);
  });

  test("node-exporter: a DaemonSet on the selected nodes, tolerating every taint, rolling 10% at a time", () => {
    const node: ExporterWorkload = {
      ...redis,
      name: "gpu-exporter",
      kind: "node-exporter",
      controller: "DaemonSet",
      secretEnv: [],
      hostAccess: { mounts: [{ name: "proc", hostPath: "/proc", mountPath: "/host/proc" }] },
      nodeSelector: { "nvidia.com/gpu.present": "true" },
    };
    const synth = Testing.synthScope((scope) => new KubernetesExporter(scope, "gpu", { namespace: "ops", workload: node }));
    const daemonSet = only(synth, DaemonSetV1);
    expect(daemonSet.spec.strategy).toEqual({ type: "RollingUpdate", rolling_update: { max_unavailable: "10%" } });
    expect(daemonSet.spec.template.spec).toMatchObject({ host_network: true, host_pid: true, node_selector: { "nvidia.com/gpu.present": "true" }, toleration: [{ operator: "Exists" }] });
    expect(daemonSet.spec.template.spec.container[0].port[0].host_port).toBe(9121);
    expect(synth).not.toHaveResource(DeploymentV1);
  });

  test("configuration files: a ConfigMap mounted read-only, its digest on the pod template", () => {
    const files = { "blackbox.yml": "modules: {}\n" };
    const synth = Testing.synthScope((scope) => new KubernetesExporter(scope, "bb", { namespace: "ops", workload: { ...redis, name: "bb", config: { dir: "/etc/bb", files } } }));
    expect(synth).toHaveResourceWithProperties(ConfigMapV1, { data: files });
    const template = only(synth, DeploymentV1).spec.template;
    expect(template.metadata.annotations).toEqual({ "monitoring-stack/config-sha256": configDigest(files) });
    expect(template.spec.container[0].volume_mount).toEqual([{ name: "config", mount_path: "/etc/bb", read_only: true }]);
    expect(configDigest(files)).not.toBe(configDigest({ "blackbox.yml": "modules: { a: {} }\n" }));
  });
});

test("KubernetesScraperAccess: the AMP collector's read-only ClusterRole bound to its user", () => {
  const synth = Testing.synthScope((scope) => new KubernetesScraperAccess(scope, "access", { user: "collector", roleName: "collector-read", labels: { a: "b" } }));
  const role = only(synth, ClusterRoleV1);
  expect(role.rule.flatMap((r: any) => r.verbs).every((v: string) => ["get", "list", "watch"].includes(v))).toBe(true);
  expect(role.rule).toContainEqual({ non_resource_urls: ["/metrics"], verbs: ["get"] });
  expect(only(synth, ClusterRoleBindingV1).subject).toEqual([{ kind: "User", name: "collector", api_group: "rbac.authorization.k8s.io" }]);
});

test("KubernetesPrometheusAgent: config in a ConfigMap, the role's ARN and region in the environment", () => {
  const synth = Testing.synthScope(
    (scope) =>
      new KubernetesPrometheusAgent(scope, "agent", { name: "agent", namespace: "ops", image: "example.org/prometheus:v3.0.0", config: "global: {}\n", configDigest: "abc", roleArn: "arn:aws:iam::123456789012:role/r", region: "eu-west-1" }),
  );
  expect(synth).toHaveResourceWithProperties(ConfigMapV1, { data: { "prometheus.yml": "global: {}\n" } });
  const env = only(synth, DeploymentV1).spec.template.spec.container[0].env;
  expect(env).toContainEqual({ name: "AWS_ROLE_ARN", value: "arn:aws:iam::123456789012:role/r" });
  expect(env).toContainEqual({ name: "AWS_REGION", value: "eu-west-1" });
  expect(only(synth, ClusterRoleBindingV1).subject[0]).toMatchObject({ kind: "ServiceAccount", namespace: "ops" });
});

test("AmpScraper: scrape configuration escaped for Terraform, access entry for the role without its path", () => {
  const synth = Testing.synthScope(
    (scope) =>
      new AmpScraper(scope, "scraper", {
        alias: "shop-prod",
        workspaceArn: "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1",
        eks: { clusterArn: "arn:aws:eks:eu-west-1:123456789012:cluster/shop", clusterName: "shop", subnetIds: ["subnet-1", "subnet-2"], securityGroupIds: [] },
        scrapeConfiguration: "relabel: ${1} %{x}\n",
        kubernetesUser: "collector",
      }),
  );
  expect(only(synth, PrometheusScraper)).toMatchObject({ alias: "shop-prod", scrape_configuration: "relabel: $${1} %%{x}\n", destination: [{ amp: [{ workspace_arn: "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1" }] }] });
  expect(only(synth, EksAccessEntry)).toMatchObject({ cluster_name: "shop", user_name: "collector", type: "STANDARD" });
});

describe("PrometheusAgentRole", () => {
  test("the issuer is the OIDC provider ARN's resource part; the role ARN is known before apply", () => {
    expect(oidcIssuer("arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC")).toBe("oidc.eks.eu-west-1.amazonaws.com/id/ABC");
    expect(iamRoleArn({ partition: "aws-cn", account: "123456789012" }, "agent")).toBe("arn:aws-cn:iam::123456789012:role/agent");
  });

  test("may remote-write to its workspace and nothing else", () => {
    const synth = Testing.synthScope(
      (scope) =>
        new PrometheusAgentRole(scope, "agent", {
          roleName: "shop-prod-prometheus-agent",
          oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.example.com",
          serviceAccount: { namespace: "ops", name: "agent" },
          workspaceArn: "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1",
        }),
    );
    expect(JSON.parse(only(synth, IamRolePolicy).policy).Statement).toEqual([{ Effect: "Allow", Action: "aps:RemoteWrite", Resource: "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1" }]);
  });
});
