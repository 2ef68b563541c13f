// The AMP managed collector for an EKS cluster, and the EKS access entry that maps its IAM role to
// the Kubernetes user the Kubernetes stack grants read access (KubernetesScraperAccess).
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { PrometheusScraper } from "@cdktf/provider-aws/lib/prometheus-scraper";
import { Fn } from "cdktf";
import { Construct } from "constructs";
import { terraformLiteral } from "./terraform-literal";

export interface AmpScraperProps {
  alias: string;
  workspaceArn: string;
  eks: { clusterArn: string; clusterName: string; subnetIds: string[]; securityGroupIds: string[] };
  /** Prometheus scrape configuration (YAML): plain text, `${`/`%{` are escaped for Terraform. */
  scrapeConfiguration: string;
  kubernetesUser: string;
}

export class AmpScraper extends Construct {
  readonly scraper: PrometheusScraper;

  constructor(scope: Construct, id: string, props: AmpScraperProps) {
    super(scope, id);
    this.scraper = new PrometheusScraper(this, "scraper", {
      alias: props.alias,
      source: [{ eks: [{ clusterArn: props.eks.clusterArn, subnetIds: props.eks.subnetIds, securityGroupIds: props.eks.securityGroupIds }] }],
      destination: [{ amp: [{ workspaceArn: props.workspaceArn }] }],
      scrapeConfiguration: terraformLiteral(props.scrapeConfiguration),
    });
    new EksAccessEntry(this, "access-entry", {
      clusterName: props.eks.clusterName,
      // EKS wants the scraper's service-linked role without its IAM path.
      principalArn: Fn.replace(this.scraper.roleArn, "role/aws-service-role/scraper.aps.amazonaws.com/", "role/"),
      type: "STANDARD",
      userName: props.kubernetesUser,
    });
  }
}
