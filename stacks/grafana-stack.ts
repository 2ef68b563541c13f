// One environment's Grafana, from the same model as its AWS stack: AMP and CloudWatch data
// sources, team folders with a dashboard per service, the overview and the model's dashboards,
// contact points and the notification policy from the same routing tree as AMP's alert manager,
// mute timings from its time intervals, and one Grafana-side rule. Only the grafana provider
// lives here; it reads the AMP endpoint (and a managed workspace's URL) from the AWS stack's state.
import { GrafanaProvider } from "../.gen/providers/grafana/provider";
import { TerraformOutput, TerraformStack, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { buildAlarms } from "../alerts/alarms";
import { effectiveRoot } from "../alerts/routing";
import { META_TEAM } from "../alerts/rules";
import { GrafanaAlerting, GrafanaContactPointSpec } from "../constructs/grafana-alerting";
import { GrafanaAwsDataSources } from "../constructs/grafana-data-sources";
import { GrafanaDashboards } from "../constructs/grafana-dashboards";
import { EXPRESSION_DATASOURCE, GrafanaRuleGroup } from "../constructs/grafana-rule-group";
import { buildDashboards } from "../dashboards";
import { stableUid } from "../dashboards/ids";
import { renderLayoutSvg } from "../dashboards/layout-svg";
import { DataSourceRefs } from "../dashboards/render";
import { ResolvedEnvironment } from "../model/load";
import { ReceiverSpec, SecretRefSpec } from "../model/schema";
import { GRAFANA_WORKSPACE_URL_OUTPUT } from "./aws-monitoring-stack";
import { awsStackState, environmentBackend } from "./environment-state";

export interface GrafanaStackProps {
  project: string;
  environment: ResolvedEnvironment;
}

export function grafanaStackName(project: string, env: string): string {
  return `${project}-${env}-grafana`;
}

/** The data sources' uids, which every panel references. */
export function grafanaDataSourceRefs(project: string, env: string): DataSourceRefs {
  return {
    amp: { type: "prometheus", uid: stableUid(project, env, "amp") },
    cloudwatch: { type: "cloudwatch", uid: stableUid(project, env, "cloudwatch") },
  };
}

/** Terraform variable holding a receiver's secret: the one the model names, else `<receiver>_<field>`. */
function secretVariableName(receiver: string, field: string, ref: SecretRefSpec): string {
  return "variable" in ref ? ref.variable : `${receiver}_${field}`.replace(/-/g, "_");
}

function secretSource(ref: SecretRefSpec): string {
  if ("secrets_manager" in ref) return `Secrets Manager secret ${ref.secrets_manager}${ref.json_key ? `, key ${ref.json_key}` : ""}`;
  if ("ssm" in ref) return `SSM parameter ${ref.ssm}`;
  return "supplied at apply time";
}

export class GrafanaStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: GrafanaStackProps) {
    super(scope, id);
    const { model, settings, name: env } = props.environment;
    const project = props.project;
    const grafana = settings.grafana ?? {};
    environmentBackend(this, settings, `${project}/${env}/grafana.tfstate`, id);
    const awsState = awsStackState(this, project, env, settings);

    // Sensitive values come from variables without defaults: never from the model, never in JSON.
    const variables = new Map<string, TerraformVariable>();
    const sensitive = (name: string, description: string) => {
      const v = variables.get(name) ?? new TerraformVariable(this, name, { type: "string", sensitive: true, nullable: false, description });
      variables.set(name, v);
      return v.stringValue;
    };
    const secret = (receiver: string, field: string, ref: SecretRefSpec) =>
      sensitive(secretVariableName(receiver, field, ref), `${field} of receiver ${receiver} for its Grafana contact point (${secretSource(ref)})`);

    const url =
      grafana.url ??
      (grafana.managed_workspace
        ? awsState.getString(GRAFANA_WORKSPACE_URL_OUTPUT)
        : new TerraformVariable(this, "grafana_url", { type: "string", nullable: false, description: `Base URL of the ${env} Grafana` }).stringValue);
    new GrafanaProvider(this, "grafana", {
      url,
      auth: sensitive("grafana_auth", `Service account token of the ${env} Grafana (Admin of the org: it replaces the notification policy tree)`),
      orgId: grafana.org_id,
      // Keeps only a hash of each dashboard in state, not the whole JSON.
      storeDashboardSha256: true,
    });

    const refs = grafanaDataSourceRefs(project, env);
    const auth = grafana.aws_auth ?? (grafana.managed_workspace ? "ec2_iam_role" : "default");
    new GrafanaAwsDataSources(this, "data-sources", {
      namePrefix: `${project} ${env}`,
      uids: { amp: refs.amp.uid, cloudwatch: refs.cloudwatch.uid },
      region: settings.region,
      ampEndpoint: awsState.getString("amp_prometheus_endpoint"),
      auth,
      keys:
        auth === "keys"
          ? {
              accessKeyId: sensitive("grafana_aws_access_key_id", "Access key id Grafana signs AMP and CloudWatch requests with"),
              secretAccessKey: sensitive("grafana_aws_secret_access_key", "Secret access key Grafana signs AMP and CloudWatch requests with"),
            }
          : undefined,
    });

    const dashboards = buildDashboards({ project, environment: env, model, alarms: buildAlarms(model, `${project}-${env}`) }, refs);
    const teams = [...new Set([META_TEAM, ...dashboards.map((d) => d.folder)])].sort();
    const content = new GrafanaDashboards(this, "dashboards", {
      folders: teams.map((team) => ({ key: team, uid: stableUid(project, env, "folder", team), title: team === META_TEAM ? `${project} ${env}` : `${project} ${env} / ${team}` })),
      dashboards,
      layoutPictures: Object.fromEntries(dashboards.map((d) => [d.key, renderLayoutSvg(d.json)])),
    });

    const receivers = Object.keys(model.receivers).sort();
    new GrafanaAlerting(this, "alerting", {
      contactPoints: receivers.map((r) => contactPoint(r, model.receivers[r], secret)),
      timeIntervals: model.routing.time_intervals,
      // The same tree AMP's alert manager gets, Watchdog route included, so both decide alike.
      policy: effectiveRoot(model.routing),
    });

    new GrafanaRuleGroup(this, "pipeline-rules", {
      name: "monitoring-pipeline",
      folderUid: content.folders[META_TEAM].uid,
      intervalSeconds: 60,
      rules: [
        {
          // Only Grafana sees this: AMP's Watchdog proves rules and delivery work, not that Grafana can read AMP.
          name: "GrafanaCannotReadAmp",
          condition: "B",
          for: "5m",
          noDataState: "Alerting",
          execErrState: "Alerting",
          labels: { severity: "critical", team: META_TEAM, source: "grafana" },
          annotations: {
            summary: "Grafana cannot read metrics from AMP",
            description: `The ${project} ${env} AMP data source returns no up series or its query fails: dashboards are blank. Check its SigV4 credentials and the AMP workspace.`,
          },
          data: [
            { refId: "A", datasourceUid: refs.amp.uid, lookbackSeconds: 600, model: { expr: "count(up)", instant: true, datasource: refs.amp } },
            {
              refId: "B",
              datasourceUid: EXPRESSION_DATASOURCE,
              model: { type: "threshold", expression: "A", conditions: [{ evaluator: { type: "lt", params: [1] } }], datasource: { type: EXPRESSION_DATASOURCE, uid: EXPRESSION_DATASOURCE } },
            },
          ],
        },
      ],
    });

    new TerraformOutput(this, "dashboard_urls", { value: Object.fromEntries(Object.entries(content.dashboards).map(([key, d]) => [key, d.url])) });
  }
}

function contactPoint(name: string, r: ReceiverSpec, secret: (receiver: string, field: string, ref: SecretRefSpec) => string): GrafanaContactPointSpec {
  switch (r.type) {
    case "pagerduty":
      return { name, pagerduty: { integrationKey: secret(name, "routing_key", r.routing_key) } };
    case "slack":
      return { name, slack: { url: secret(name, "webhook_url", r.webhook_url), channel: r.channel } };
    case "dingtalk":
      // Grafana's DingDing integration cannot sign requests: a robot with a signing secret needs
      // keyword or IP-allowlist security to accept Grafana's messages.
      return { name, dingding: { url: secret(name, "webhook_url", r.webhook_url) } };
    case "email":
      return { name, email: { addresses: r.to } };
    case "webhook":
      return { name, webhook: { url: secret(name, "url", r.url) } };
  }
}
