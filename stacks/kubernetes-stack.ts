// One environment's cluster side: the monitoring namespace, the exporters its services need, and
// either the managed collector's read access (it scrapes from AWS) or a Prometheus agent that
// remote-writes to the environment's AMP workspace. Only the kubernetes provider lives here.
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { TerraformOutput, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { KubernetesExporter } from "../constructs/kubernetes-exporter";
import { configDigest } from "../constructs/kubernetes-pod";
import { KubernetesPrometheusAgent } from "../constructs/kubernetes-prometheus-agent";
import { KubernetesScraperAccess } from "../constructs/kubernetes-scraper-access";
import { iamRoleArn } from "../constructs/prometheus-agent-role";
import { terraformLiteral } from "../constructs/terraform-literal";
import { ResolvedEnvironment } from "../model/load";
import { PROMETHEUS_AGENT_NAME, prometheusAgentRoleName } from "../model/scraping-checks";
import { exporterWorkloads, workloadLabels } from "../scraping/exporters";
import { IMAGES } from "../scraping/images";
import { AMP_COLLECTOR_CLUSTER_ROLE, AMP_COLLECTOR_KUBERNETES_USER, ampRemoteWriteUrl, prometheusAgentConfiguration } from "../scraping/scrape-configs";
import { partitionOf } from "./aws-monitoring-stack";
import { awsStackState, environmentBackend } from "./environment-state";

export interface KubernetesStackProps {
  project: string;
  environment: ResolvedEnvironment;
}

export function kubernetesStackName(project: string, env: string): string {
  return `${project}-${env}-kubernetes`;
}

/** Stands in for the workspace endpoint while the config is escaped for Terraform, then is replaced by the reference. */
const REMOTE_WRITE_PLACEHOLDER = "https://amp-workspace.invalid/api/v1/remote_write";

export class KubernetesStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: KubernetesStackProps) {
    super(scope, id);
    const { model, settings, name: env } = props.environment;
    const scraping = settings.scraping;
    if (!scraping) throw new Error(`environment ${env} has no scraping settings`);

    new KubernetesProvider(this, "kubernetes", {
      configPath: scraping.kubernetes.config_path,
      configContext: scraping.kubernetes.config_context ?? scraping.eks?.cluster_arn,
    });
    environmentBackend(this, settings, `${props.project}/${env}/kubernetes.tfstate`, id);

    const workloads = exporterWorkloads(model);
    // Pod Security Admission: node-exporter needs the host (privileged level); everything else meets "restricted".
    const enforce = workloads.some((w) => w.hostAccess) ? "privileged" : "restricted";
    const namespace = new NamespaceV1(this, "namespace", {
      metadata: {
        name: scraping.kubernetes.namespace,
        labels: {
          "app.kubernetes.io/managed-by": "monitoring-stack",
          "pod-security.kubernetes.io/enforce": enforce,
          "pod-security.kubernetes.io/audit": "restricted",
          "pod-security.kubernetes.io/warn": "restricted",
        },
      },
    });
    // Referencing the namespace (not its name as text) orders creation after it.
    const ns = namespace.metadata.name;
    for (const workload of workloads) new KubernetesExporter(this, workload.name, { namespace: ns, workload });

    if (scraping.mode === "managed-collector")
      new KubernetesScraperAccess(this, "amp-collector-access", {
        user: AMP_COLLECTOR_KUBERNETES_USER,
        roleName: AMP_COLLECTOR_CLUSTER_ROLE,
        labels: workloadLabels("amp-collector", "scraper", AMP_COLLECTOR_CLUSTER_ROLE),
      });
    else {
      const remoteWrite = { url: REMOTE_WRITE_PLACEHOLDER, region: settings.region };
      const config = prometheusAgentConfiguration(model, scraping, remoteWrite);
      const endpoint = awsStackState(this, props.project, env, settings).getString("amp_prometheus_endpoint");
      new KubernetesPrometheusAgent(this, "prometheus-agent", {
        name: PROMETHEUS_AGENT_NAME,
        namespace: ns,
        image: IMAGES.prometheus,
        config: terraformLiteral(config).replace(REMOTE_WRITE_PLACEHOLDER, ampRemoteWriteUrl(endpoint)),
        configDigest: configDigest({ "prometheus.yml": config }),
        roleArn: iamRoleArn({ partition: partitionOf(settings.region), account: settings.account }, prometheusAgentRoleName(props.project, env)),
        region: settings.region,
      });
    }
    new TerraformOutput(this, "monitoring_namespace", { value: ns });
    new TerraformOutput(this, "exporters", { value: workloads.map((w) => w.name) });
  }
}
