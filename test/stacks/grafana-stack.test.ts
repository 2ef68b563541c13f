// The per-environment Grafana stack composed from the example models (cdktf Testing), and the
// opt-in managed workspace on the AWS side. No grafana provider binary exists here, so these
// assertions and the structural checks stand in for `terraform validate` of this stack.
import { GrafanaWorkspace } from "@cdktf/provider-aws/lib/grafana-workspace";
import { DataTerraformRemoteState, Testing } from "cdktf";
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { ContactPoint } from "../../.gen/providers/grafana/contact-point";
import { Dashboard } from "../../.gen/providers/grafana/dashboard";
import { DataSource } from "../../.gen/providers/grafana/data-source";
import { Folder } from "../../.gen/providers/grafana/folder";
import { MessageTemplate } from "../../.gen/providers/grafana/message-template";
import { MuteTiming } from "../../.gen/providers/grafana/mute-timing";
import { NotificationPolicy } from "../../.gen/providers/grafana/notification-policy";
import { GrafanaProvider } from "../../.gen/providers/grafana/provider";
import { RuleGroup } from "../../.gen/providers/grafana/rule-group";
import { LAYOUT_DIR } from "../../constructs/grafana-dashboards";
import { GRAFANA_MAX_POLICY_DEPTH, LoadedModel, ResolvedEnvironment } from "../../model/load";
import { promqlSyntaxError } from "../../model/promql";
import { AwsMonitoringStack } from "../../stacks/aws-monitoring-stack";
import { awsStackName } from "../../stacks/environment-state";
import { GrafanaStack, grafanaDataSourceRefs, grafanaStackName } from "../../stacks/grafana-stack";
import { EXAMPLES, loadExample, synthToTemp } from "../support";

const sports = loadExample(EXAMPLES.sportsCoach);
const cet4 = loadExample(EXAMPLES.cet4);

function synthGrafana(loaded: LoadedModel, env: string, change?: (e: ResolvedEnvironment) => ResolvedEnvironment) {
  const base = loaded.environments.find((e) => e.name === env)!;
  const environment = change ? change(base) : base;
  const stack = new GrafanaStack(Testing.app(), grafanaStackName(loaded.project, env), { project: loaded.project, environment });
  const synth = Testing.synth(stack);
  return { synth, json: JSON.parse(synth), environment };
}
const resources = (json: any, type: string): any[] => Object.values(json.resource[type] ?? {});

const prod = synthGrafana(sports, "prod");

describe("sports-coach prod", () => {
  test("only the grafana provider, pinned to the generated bindings' version, authenticated by a sensitive variable", () => {
    expect(Object.keys(prod.json.provider)).toEqual(["grafana"]);
    expect(prod.json.terraform.required_providers).toEqual({ grafana: { source: "registry.terraform.io/grafana/grafana", version: "4.45.1" } });
    expect(prod.synth).toHaveProviderWithProperties(GrafanaProvider, { url: "https://grafana.sports-coach.example.com", auth: "${var.grafana_auth}", store_dashboard_sha256: true });
  });

  test("every variable is sensitive, required and without a default: no secret value is ever in the configuration", () => {
    const variables = prod.json.variable;
    expect(Object.keys(variables).sort()).toEqual(
      ["dingtalk_ops_webhook_url", "grafana_auth", "heartbeat_url", "pagerduty_oncall_routing_key", "slack_ai_webhook_url", "slack_backend_webhook_url"].sort(),
    );
    for (const [name, v] of Object.entries<any>(variables)) expect([name, v.sensitive, v.nullable, "default" in v]).toEqual([name, true, false, false]);
    expect(variables.slack_backend_webhook_url.description).toContain("Secrets Manager secret monitoring/slack/backend-alerts");
  });

  test("state in the environment's bucket under its own key; the AMP endpoint read from the AWS stack's state", () => {
    expect(prod.json.terraform.backend.s3).toMatchObject({ bucket: "sports-coach-terraform-state-prod", key: "sports-coach/prod/grafana.tfstate", dynamodb_table: "sports-coach-terraform-locks" });
    expect(prod.synth).toHaveDataSourceWithProperties(DataTerraformRemoteState, { backend: "s3", config: { bucket: "sports-coach-terraform-state-prod", key: "sports-coach/prod/aws.tfstate", region: "us-east-1" } });
  });

  test("AMP is a Prometheus data source signing with SigV4 in the workspace's region; CloudWatch beside it; settings JSON-encoded", () => {
    const refs = grafanaDataSourceRefs("sports-coach", "prod");
    expect(prod.synth).toHaveResourceWithProperties(DataSource, {
      type: "prometheus",
      uid: refs.amp.uid,
      url: '${trimsuffix(data.terraform_remote_state.aws-state.outputs.amp_prometheus_endpoint, "/")}',
    });
    const [amp, cloudwatch] = resources(prod.json, "grafana_data_source");
    expect(JSON.parse(amp.json_data_encoded)).toEqual({ httpMethod: "POST", sigV4Auth: true, sigV4AuthType: "default", sigV4Region: "us-east-1", manageAlerts: true });
    expect(JSON.parse(cloudwatch.json_data_encoded)).toEqual({ authType: "default", defaultRegion: "us-east-1" });
    expect(cloudwatch).toMatchObject({ type: "cloudwatch", uid: refs.cloudwatch.uid });
    for (const ds of [amp, cloudwatch]) expect(ds.secure_json_data_encoded).toBeUndefined();
  });

  test("a folder per team plus the environment's own, each dashboard in its folder with its uid in config_json", () => {
    expect(resources(prod.json, "grafana_folder").map((f) => f.title).sort()).toEqual(
      ["sports-coach prod", "sports-coach prod / ai", "sports-coach prod / backend", "sports-coach prod / platform"].sort(),
    );
    const folderRefs = new Set(Object.keys(prod.json.resource.grafana_folder).map((k) => `\${grafana_folder.${k}.uid}`));
    const dashboards = resources(prod.json, "grafana_dashboard");
    expect(dashboards).toHaveLength(10);
    for (const d of dashboards) {
      expect(folderRefs.has(d.folder)).toBe(true);
      expect(d.overwrite).toBe(true);
      expect(JSON.parse(d.config_json).uid).toMatch(/^sports-coach-prod-/);
    }
    expect(prod.synth).toHaveResource(Dashboard);
    // Every panel's data source is one this stack creates.
    const sources = new Set(resources(prod.json, "grafana_data_source").map((ds) => `${ds.type}/${ds.uid}`));
    const used = dashboards.flatMap((d) => JSON.parse(d.config_json).panels.filter((p: any) => p.type !== "row").map((p: any) => `${p.datasource.type}/${p.datasource.uid}`));
    expect(used.length).toBeGreaterThan(100);
    expect([...new Set(used)].filter((u) => !sources.has(u))).toEqual([]);
    expect(prod.synth).toHaveResourceWithProperties(Folder, { uid: "sports-coach-prod-folder-backend" });
  });

  test("a contact point per receiver, of the receiver's kind, secrets from its variables; one message template they use", () => {
    const points: Record<string, any> = Object.fromEntries(resources(prod.json, "grafana_contact_point").map((c) => [c.name, c]));
    expect(Object.keys(points).sort()).toEqual(Object.keys(prod.environment.model.receivers).sort());
    expect(points["pagerduty-oncall"].pagerduty[0]).toMatchObject({ integration_key: "${var.pagerduty_oncall_routing_key}", severity: "{{ .CommonLabels.severity }}" });
    expect(points["slack-ai"].slack[0]).toMatchObject({ url: "${var.slack_ai_webhook_url}", recipient: "#ai-alerts", title: '{{ template "monitoring.title" . }}' });
    expect(points["dingtalk-ops"].dingding[0].url).toBe("${var.dingtalk_ops_webhook_url}");
    expect(points["email-ops"].email[0].addresses).toEqual(["ops@sports-coach.example.com"]);
    expect(points.heartbeat.webhook[0].url).toBe("${var.heartbeat_url}");
    expect(prod.synth).toHaveResourceWithProperties(MessageTemplate, { name: "monitoring" });
    const template = Object.keys(prod.json.resource.grafana_message_template)[0];
    for (const cp of Object.values(points)) expect(cp.depends_on).toEqual([`grafana_message_template.${template}`]);
    expect(prod.synth).toHaveResource(ContactPoint);
  });

  test("mute timings from the model's time intervals", () => {
    expect(prod.synth).toHaveResourceWithProperties(MuteTiming, {
      name: "maintenance-window",
      intervals: [{ weekdays: ["sunday"], times: [{ start: "02:00", end: "04:00" }], location: "Asia/Shanghai" }],
    });
    expect(resources(prod.json, "grafana_mute_timing").map((t) => t.name).sort()).toEqual(["business-hours", "maintenance-window"]);
  });

  test("one notification policy for the org, at most five levels deep, naming contact points and timings by reference", () => {
    const policies = resources(prod.json, "grafana_notification_policy");
    expect(policies).toHaveLength(1);
    expect(prod.synth).toHaveResourceWithProperties(NotificationPolicy, { group_by: ["alertname", "service", "severity"], group_wait: "30s", repeat_interval: "4h" });
    const depth = (p: any): number => 1 + Math.max(0, ...(p.policy ?? []).map(depth));
    expect(depth({ policy: policies[0].policy }) - 1).toBeLessThanOrEqual(GRAFANA_MAX_POLICY_DEPTH);
    const refs = JSON.stringify(policies[0]).match(/"\$\{[^}]+\}"/g)!;
    for (const r of refs) expect(r).toMatch(/^"\$\{grafana_(contact_point|mute_timing)\.[^.]+\.name\}"$/);
  });

  test("the Grafana-side rule names its condition among its queries, and its PromQL parses", () => {
    const [group] = resources(prod.json, "grafana_rule_group");
    expect(prod.synth).toHaveResourceWithProperties(RuleGroup, { name: "monitoring-pipeline", interval_seconds: 60 });
    expect(group.folder_uid).toMatch(/^\$\{grafana_folder\..+\.uid\}$/);
    for (const rule of group.rule) {
      expect(rule.data.map((d: any) => d.ref_id)).toContain(rule.condition);
      for (const d of rule.data) {
        const model = JSON.parse(d.model);
        expect(model.refId).toBe(d.ref_id);
        if (model.expr) expect(promqlSyntaxError(model.expr)).toBeNull();
      }
    }
  });
});

describe("where Grafana is and how it signs AWS requests", () => {
  test("staging's managed workspace: URL from the AWS stack's output, data sources use the workspace role", () => {
    const staging = synthGrafana(sports, "staging");
    expect(staging.synth).toHaveProviderWithProperties(GrafanaProvider, { url: "${data.terraform_remote_state.aws-state.outputs.grafana_workspace_url}" });
    for (const ds of resources(staging.json, "grafana_data_source")) expect(ds.json_data_encoded).toContain('"ec2_iam_role"');
  });

  test("without a URL or workspace the URL is a (non-secret) variable; local state reads the AWS stack's local state", () => {
    const dev = synthGrafana(cet4, "dev");
    expect(dev.json.provider.grafana[0].url).toBe("${var.grafana_url}");
    expect(dev.json.variable.grafana_url).toMatchObject({ type: "string", nullable: false });
    expect(dev.json.variable.grafana_url.sensitive).toBeUndefined();
    expect(dev.json.terraform.backend).toEqual({ local: { path: "terraform.cet4-training-dev-grafana.tfstate" } });
    expect(dev.json.data.terraform_remote_state["aws-state"]).toEqual({ backend: "local", config: { path: "../cet4-training-dev-aws/terraform.cet4-training-dev-aws.tfstate" } });
  });

  test("access keys, when chosen, reach only secure_json_data_encoded, from sensitive variables", () => {
    const keyed = synthGrafana(sports, "prod", (e) => ({ ...e, settings: { ...e.settings, grafana: { url: "https://g.example.com", aws_auth: "keys" } } }));
    const [amp, cloudwatch] = resources(keyed.json, "grafana_data_source");
    expect(amp.secure_json_data_encoded).toBe('${jsonencode({"sigV4AccessKey" = var.grafana_aws_access_key_id, "sigV4SecretKey" = var.grafana_aws_secret_access_key})}');
    expect(cloudwatch.secure_json_data_encoded).toBe('${jsonencode({"accessKey" = var.grafana_aws_access_key_id, "secretKey" = var.grafana_aws_secret_access_key})}');
    expect(keyed.json.variable.grafana_aws_secret_access_key.sensitive).toBe(true);
  });
});

describe("the managed workspace on the AWS side (opt-in, aws provider only)", () => {
  const awsStack = (env: string) => {
    const environment = sports.environments.find((e) => e.name === env)!;
    const synth = Testing.synth(new AwsMonitoringStack(Testing.app(), awsStackName(sports.project, env), { project: sports.project, environment }));
    return { synth, json: JSON.parse(synth) };
  };

  test("staging opts in: a workspace with its own role reading only its AMP workspace, and its URL as an output", () => {
    const staging = awsStack("staging");
    expect(Object.keys(staging.json.provider)).toEqual(["aws"]);
    expect(staging.synth).toHaveResourceWithProperties(GrafanaWorkspace, {
      name: "sports-coach-staging",
      account_access_type: "CURRENT_ACCOUNT",
      authentication_providers: ["AWS_SSO"],
      permission_type: "CUSTOMER_MANAGED",
      data_sources: ["PROMETHEUS", "CLOUDWATCH"],
    });
    const policy = JSON.parse(Object.values<any>(staging.json.resource.aws_iam_role_policy).find((p) => p.name === "read-amp-and-cloudwatch").policy);
    expect(policy.Statement[0].Resource).toMatch(/^\$\{aws_prometheus_workspace\..+\.arn\}$/);
    expect(staging.json.output.grafana_workspace_url.value).toMatch(/^https:\/\/\$\{aws_grafana_workspace\..+\.endpoint\}$/);
  });

  test("prod does not", () => {
    const p = awsStack("prod");
    expect(p.json.resource.aws_grafana_workspace).toBeUndefined();
    expect(p.json.output.grafana_workspace_url).toBeUndefined();
  });
});

describe("synthesized with the app", () => {
  const out = synthToTemp(EXAMPLES.sportsCoach, "grafana-synth");

  test("one Grafana stack per environment, next to its AWS stack", () => {
    for (const env of ["dev", "staging", "prod"]) expect(Object.keys(out.stacks)).toContain(grafanaStackName("sports-coach", env));
    const manifest = JSON.parse(readFileSync(path.join(out.outdir, "manifest.json"), "utf8"));
    expect(manifest.stacks["sports-coach-prod-grafana"].dependencies).toEqual(["sports-coach-prod-aws"]);
  });

  test("the layout pictures land next to each Grafana stack, one per dashboard", () => {
    const dir = path.join(out.outdir, "stacks", "sports-coach-prod-grafana", LAYOUT_DIR);
    for (const key of ["overview", "svc-sports-api", "dash-business-overview"]) expect(existsSync(path.join(dir, `${key}.svg`))).toBe(true);
    expect(readFileSync(path.join(dir, "overview.svg"), "utf8")).toContain("sports-coach overview (prod)");
  });

  test("no literal `${` or `%{` reaches Terraform from dashboards, templates or rules: only references", () => {
    for (const env of ["dev", "staging", "prod"]) {
      const text = readFileSync(path.join(out.outdir, "stacks", grafanaStackName("sports-coach", env), "cdk.tf.json"), "utf8");
      const interpolations = [...text.matchAll(/(?<!\$)\$\{([^}]*)\}/g)].map((m) => m[1]);
      expect(interpolations.length).toBeGreaterThan(20);
      for (const i of interpolations) expect(i).toMatch(/^(var|data|grafana_[a-z_]+|trimsuffix|jsonencode)[.(]/);
      expect(text).not.toMatch(/(?<!%)%\{/);
    }
  });
});
