// The per-environment Kubernetes stack composed from the example model (cdktf Testing: no
// kubernetes provider binary exists offline), and the AWS stack's side of scraping.
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { PrometheusScraper } from "@cdktf/provider-aws/lib/prometheus-scraper";
import { PrometheusWorkspace } from "@cdktf/provider-aws/lib/prometheus-workspace";
import { ClusterRoleBindingV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-binding-v1";
import { ClusterRoleV1 } from "@cdktf/provider-kubernetes/lib/cluster-role-v1";
import { DaemonSetV1 } from "@cdktf/provider-kubernetes/lib/daemon-set-v1";
import { DeploymentV1 } from "@cdktf/provider-kubernetes/lib/deployment-v1";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { ServiceV1 } from "@cdktf/provider-kubernetes/lib/service-v1";
import { Testing } from "cdktf";
import { readFileSync } from "node:fs";
import * as path from "node:path";
import { terraformLiteral } from "../../constructs/terraform-literal";
import { prometheusAgentRoleName } from "../../model/scraping-checks";
import { exporterWorkloads } from "../../scraping/exporters";
import { IMAGES } from "../../scraping/images";
import { managedCollectorConfiguration } from "../../scraping/scrape-configs";
import { AwsMonitoringStack } from "../../stacks/aws-monitoring-stack";
import { awsStackName } from "../../stacks/environment-state";
import { KubernetesStack, kubernetesStackName } from "../../stacks/kubernetes-stack";
import { EXAMPLES, loadExample, synthToTemp } from "../support";

const loaded = loadExample(EXAMPLES.sportsCoach);
const environment = (name: string) => loaded.environments.find((e) => e.name === name)!;
const synthKubernetes = (name: string) => {
  const stack = new KubernetesStack(Testing.app(), kubernetesStackName(loaded.project, name), { project: loaded.project, environment: environment(name) });
  const synth = Testing.synth(stack);
  return { synth, json: JSON.parse(synth) };
};
const synthAws = (name: string) => JSON.parse(Testing.synth(new AwsMonitoringStack(Testing.app(), awsStackName(loaded.project, name), { project: loaded.project, environment: environment(name) })));
const prod = synthKubernetes("prod");
const dev = synthKubernetes("dev");

const resources = (json: any, type: { tfResourceType: string }): any[] => Object.values(json.resource[type.tfResourceType] ?? {});
const workloads = (json: any) => [...resources(json, DeploymentV1), ...resources(json, DaemonSetV1)];
const podSpec = (w: any) => w.spec.template.spec;
const containers = (json: any) => workloads(json).flatMap((w) => podSpec(w).container);

test("only the kubernetes provider, on the kubeconfig context the model names (EKS: the cluster ARN)", () => {
  expect(Object.keys(prod.json.provider)).toEqual(["kubernetes"]);
  expect(prod.json.provider.kubernetes[0]).toEqual({ config_path: "~/.kube/config", config_context: "arn:aws:eks:us-east-1:333333333333:cluster/sports-coach-prod" });
  expect(dev.json.provider.kubernetes[0].config_context).toBe("sports-coach-dev");
});

test("state next to the AWS stack's: same bucket under its own key, local in dev", () => {
  expect(prod.json.terraform.backend.s3).toMatchObject({ bucket: "sports-coach-terraform-state-prod", key: "sports-coach/prod/kubernetes.tfstate", encrypt: true, dynamodb_table: "sports-coach-terraform-locks" });
  expect(dev.json.terraform.backend).toEqual({ local: { path: "terraform.sports-coach-dev-kubernetes.tfstate" } });
});

test("the monitoring namespace admits host access only because node-exporter needs it", () => {
  expect(prod.synth).toHaveResourceWithProperties(NamespaceV1, {
    metadata: { name: "monitoring", labels: expect.objectContaining({ "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "restricted" }) },
  });
});

test("the exporters the example's services need: node (DaemonSet), postgres, redis and blackbox (Deployments)", () => {
  const byName = Object.fromEntries(workloads(prod.json).map((w) => [w.metadata.name, podSpec(w).container[0].image]));
  expect(byName).toEqual({
    "app-hosts-exporter": IMAGES.nodeExporter,
    "blackbox-exporter": IMAGES.blackboxExporter,
    "sports-cache-exporter": IMAGES.redisExporter,
    "sports-db-exporter": IMAGES.postgresExporter,
  });
  expect(resources(prod.json, DaemonSetV1).map((d) => d.metadata.name)).toEqual(["app-hosts-exporter"]);
  for (const image of Object.values(IMAGES)) expect(image).toMatch(/^[a-z0-9.-]+\/[a-z0-9_./-]+:v\d+\.\d+\.\d+$/);
});

test("every container is hardened: non-root, read-only root, no capabilities, requests and limits, probes", () => {
  for (const json of [prod.json, dev.json])
    for (const c of containers(json)) {
      expect([c.name, c.security_context]).toEqual([c.name, { run_as_non_root: true, allow_privilege_escalation: false, read_only_root_filesystem: true, capabilities: { drop: ["ALL"] } }]);
      expect(Object.keys(c.resources).sort()).toEqual(["limits", "requests"]);
      expect(Object.keys(c.resources.limits).sort()).toEqual(["cpu", "memory"]);
      expect(Object.keys(c.resources.requests).sort()).toEqual(["cpu", "memory"]);
      expect(c.liveness_probe.http_get).toEqual({ path: expect.stringMatching(/^\//), port: "metrics" });
      expect(c.readiness_probe.http_get).toEqual(c.liveness_probe.http_get);
      expect(c.image_pull_policy).toBe("IfNotPresent");
    }
  for (const w of workloads(prod.json)) expect(podSpec(w).security_context).toMatchObject({ run_as_non_root: true, run_as_user: "65534", seccomp_profile: { type: "RuntimeDefault" } });
});

test("host network, host PID and host mounts only for node-exporter, mounted read-only, on every node", () => {
  for (const w of workloads(prod.json)) {
    const spec = podSpec(w);
    const isNode = w.metadata.name === "app-hosts-exporter";
    expect([w.metadata.name, Boolean(spec.host_network), Boolean(spec.host_pid), (spec.volume ?? []).some((v: any) => v.host_path)]).toEqual([w.metadata.name, isNode, isNode, isNode]);
    for (const m of spec.container[0].volume_mount ?? []) expect([w.metadata.name, m.name, m.read_only]).toEqual([w.metadata.name, m.name, true]);
  }
  const node = podSpec(resources(prod.json, DaemonSetV1)[0]);
  expect(node.toleration).toEqual([{ operator: "Exists" }]);
  expect(node.volume.map((v: any) => [v.name, v.host_path.path])).toEqual([["proc", "/proc"], ["sys", "/sys"], ["root", "/"]]);
  expect(node.container[0].args).toEqual(expect.arrayContaining(["--path.procfs=/host/proc", "--path.sysfs=/host/sys", "--path.rootfs=/host/root", "--web.listen-address=:9100"]));
  expect(node.container[0].port).toEqual([{ name: "metrics", container_port: 9100, host_port: 9100, protocol: "TCP" }]);
});

test("connection strings come from Kubernetes Secrets by reference; none is in the output", () => {
  const env = (name: string) => podSpec(workloads(prod.json).find((w) => w.metadata.name === name)).container[0].env;
  expect(env("sports-db-exporter")).toEqual([{ name: "DATA_SOURCE_NAME", value_from: { secret_key_ref: { name: "sports-db-exporter", key: "data-source-name" } } }]);
  expect(env("sports-cache-exporter")).toEqual([{ name: "REDIS_ADDR", value_from: { secret_key_ref: { name: "sports-cache-exporter", key: "redis-url" } } }]);
  for (const json of [prod.json, dev.json]) expect(JSON.stringify(json)).not.toMatch(/postgres(ql)?:\/\/|rediss?:\/\//);
});

test("one headless Service per exporter, labelled like its pods, exposing the metrics port", () => {
  const services = resources(prod.json, ServiceV1);
  const byName = Object.fromEntries(workloads(prod.json).map((w) => [w.metadata.name, w]));
  expect(services.map((s) => s.metadata.name).sort()).toEqual(Object.keys(byName).sort());
  for (const s of services) {
    const w = byName[s.metadata.name];
    expect(s.metadata.labels).toEqual(w.spec.template.metadata.labels);
    expect(s.spec.cluster_ip).toBe("None");
    expect(s.spec.selector).toEqual(w.spec.selector.match_labels);
    expect(s.spec.port).toEqual([{ name: "metrics", port: podSpec(w).container[0].port[0].container_port, target_port: "metrics", protocol: "TCP" }]);
  }
});

test("blackbox-exporter gets its modules from a ConfigMap and rolls when they change", () => {
  const blackbox = workloads(prod.json).find((w) => w.metadata.name === "blackbox-exporter");
  const config = Object.values<any>(prod.json.resource.kubernetes_config_map_v1).find((c) => c.metadata.name === "blackbox-exporter");
  expect(Object.keys(config.data)).toEqual(["blackbox.yml"]);
  expect(config.data["blackbox.yml"]).toContain("sports-api:");
  expect(blackbox.spec.template.metadata.annotations["monitoring-stack/config-sha256"]).toMatch(/^[0-9a-f]{64}$/);
  expect(podSpec(blackbox).volume).toEqual([{ name: "config", config_map: { name: "blackbox-exporter" } }]);
});

test("managed collector (prod): read access for the collector's Kubernetes user, no agent", () => {
  expect(prod.synth).toHaveResourceWithProperties(ClusterRoleV1, { metadata: expect.objectContaining({ name: "aps-collector-role" }) });
  expect(prod.synth).toHaveResourceWithProperties(ClusterRoleBindingV1, {
    role_ref: { api_group: "rbac.authorization.k8s.io", kind: "ClusterRole", name: expect.stringMatching(/^\$\{kubernetes_cluster_role_v1\..+\.metadata\[0\]\.name\}$/) },
    subject: [{ kind: "User", name: "aps-collector-user", api_group: "rbac.authorization.k8s.io" }],
  });
  expect(prod.synth).not.toHaveResource(ServiceAccountV1);
  expect(workloads(prod.json).map((w) => w.metadata.name)).not.toContain("prometheus-agent");
});

describe("Prometheus agent (dev)", () => {
  const agent = workloads(dev.json).find((w) => w.metadata.name === "prometheus-agent");
  const container = podSpec(agent).container[0];
  const config = Object.values<any>(dev.json.resource.kubernetes_config_map_v1).find((c) => c.metadata.name === "prometheus-agent").data["prometheus.yml"];

  test("runs one Prometheus in agent mode, config and WAL mounted, recreated on change", () => {
    expect(container.image).toBe(IMAGES.prometheus);
    expect(container.args).toEqual(["--agent", "--config.file=/etc/prometheus/prometheus.yml", "--storage.agent.path=/prometheus", "--web.listen-address=:9090"]);
    expect(agent.spec.replicas).toBe("1");
    expect(agent.spec.strategy).toEqual({ type: "Recreate" });
    expect(container.volume_mount.map((m: any) => [m.name, m.read_only])).toEqual([["config", true], ["wal", false], ["aws-iam-token", true]]);
    expect(agent.spec.template.metadata.annotations["monitoring-stack/config-sha256"]).toMatch(/^[0-9a-f]{64}$/);
  });

  test("assumes the AWS stack's IAM role with a projected service-account token (IRSA, no webhook needed)", () => {
    const role = `arn:aws:iam::111111111111:role/${prometheusAgentRoleName("sports-coach", "dev")}`;
    expect(container.env).toEqual(
      expect.arrayContaining([
        { name: "AWS_ROLE_ARN", value: role },
        { name: "AWS_WEB_IDENTITY_TOKEN_FILE", value: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token" },
        { name: "AWS_REGION", value: "us-east-1" },
      ]),
    );
    const token = podSpec(agent).volume.find((v: any) => v.name === "aws-iam-token");
    expect(token.projected).toEqual([{ sources: [{ service_account_token: { audience: "sts.amazonaws.com", expiration_seconds: 86400, path: "token" } }] }]);
    expect(podSpec(agent).service_account_name).toMatch(/^\$\{kubernetes_service_account_v1\..+\.metadata\[0\]\.name\}$/);
    expect(dev.synth).toHaveResourceWithProperties(ServiceAccountV1, { metadata: expect.objectContaining({ name: "prometheus-agent", namespace: "${kubernetes_namespace_v1.namespace.metadata[0].name}" }) });
  });

  test("remote-writes to the workspace endpoint read from the AWS stack's state, signed with SigV4", () => {
    expect(config).toContain("  - url: ${data.terraform_remote_state.aws-state.outputs.amp_prometheus_endpoint}api/v1/remote_write\n    sigv4:\n      region: us-east-1\n");
    expect(dev.json.data.terraform_remote_state["aws-state"]).toEqual({ backend: "local", config: { path: "../sports-coach-dev-aws/terraform.sports-coach-dev-aws.tfstate" } });
  });

  test("may only discover (get/list/watch) endpoints, pods and services", () => {
    const role = resources(dev.json, ClusterRoleV1).find((r) => r.metadata.name === "prometheus-agent");
    expect(role.rule.flatMap((r: any) => r.verbs)).toEqual(["get", "list", "watch", "get", "list", "watch"]);
  });
});

describe("AWS stack: metrics into AMP", () => {
  const prodAws = synthAws("prod");
  const devAws = synthAws("dev");

  test("managed collector (prod): the scraper on the EKS cluster with the generated configuration, and its access entry", () => {
    const [scraper] = resources(prodAws, PrometheusScraper);
    expect(scraper.source).toEqual([
      { eks: [{ cluster_arn: "arn:aws:eks:us-east-1:333333333333:cluster/sports-coach-prod", subnet_ids: ["subnet-0b1c2d3e4f5a60001", "subnet-0b1c2d3e4f5a60002", "subnet-0b1c2d3e4f5a60003"], security_group_ids: ["sg-0b1c2d3e4f5a60001"] }] },
    ]);
    expect(scraper.destination[0].amp[0].workspace_arn).toMatch(/^\$\{aws_prometheus_workspace\..+\.arn\}$/);
    const env = environment("prod");
    expect(scraper.scrape_configuration).toBe(terraformLiteral(managedCollectorConfiguration(env.model, env.settings.scraping!)));
    const [entry] = resources(prodAws, EksAccessEntry);
    expect(entry).toMatchObject({ cluster_name: "sports-coach-prod", type: "STANDARD", user_name: "aps-collector-user" });
    expect(entry.principal_arn).toMatch(/^\$\{replace\(aws_prometheus_scraper\..+\.role_arn, "role\/aws-service-role\/scraper\.aps\.amazonaws\.com\/", "role\/"\)\}$/);
    expect(resources(prodAws, PrometheusWorkspace)[0].tags).toEqual({ AMPAgentlessScraper: "" });
    expect(resources(prodAws, IamRole).filter((r) => r.name === prometheusAgentRoleName("sports-coach", "prod"))).toEqual([]);
  });

  test("Prometheus agent (dev): an IRSA role trusted by the cluster's OIDC provider for the agent's service account only", () => {
    expect(devAws.resource[PrometheusScraper.tfResourceType]).toBeUndefined();
    const role = resources(devAws, IamRole).find((r) => r.name === prometheusAgentRoleName("sports-coach", "dev"));
    const trust = JSON.parse(role.assume_role_policy);
    expect(trust.Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Federated: "arn:aws:iam::111111111111:oidc-provider/oidc.dev.sports-coach.example.com" },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { "oidc.dev.sports-coach.example.com:sub": "system:serviceaccount:monitoring:prometheus-agent", "oidc.dev.sports-coach.example.com:aud": "sts.amazonaws.com" } },
      },
    ]);
    const policy = JSON.parse((Object.values<any>(devAws.resource.aws_iam_role_policy).find((p) => p.name === "amp-remote-write")).policy);
    expect(policy.Statement).toEqual([{ Effect: "Allow", Action: "aps:RemoteWrite", Resource: expect.stringMatching(/^\$\{aws_prometheus_workspace\..+\.arn\}$/) }]);
  });
});

test("the app adds a Kubernetes stack per scraping environment, deployed after its AWS stack", () => {
  const out = synthToTemp(EXAMPLES.sportsCoach, "kubernetes-app");
  const manifest = JSON.parse(readFileSync(path.join(out.outdir, "manifest.json"), "utf8"));
  for (const env of ["dev", "staging", "prod"]) {
    const name = kubernetesStackName("sports-coach", env);
    expect(manifest.stacks[name].dependencies).toEqual([awsStackName("sports-coach", env)]);
    expect(Object.keys(out.stacks[name].provider)).toEqual(["kubernetes"]);
  }
  expect(exporterWorkloads(environment("prod").model).map((w) => w.name)).toEqual(out.stacks[kubernetesStackName("sports-coach", "prod")].output.exporters.value);
});
