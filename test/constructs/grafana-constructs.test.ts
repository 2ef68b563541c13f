// The Grafana constructs on their own, without the model: what they create and which of the
// provider's unwritten rules they enforce before Terraform or Grafana would reject a change.
import { GrafanaWorkspace as AwsGrafanaWorkspace } from "@cdktf/provider-aws/lib/grafana-workspace";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { Testing } from "cdktf";
import { Construct } from "constructs";
import { ContactPoint } from "../../.gen/providers/grafana/contact-point";
import { Dashboard } from "../../.gen/providers/grafana/dashboard";
import { DataSource } from "../../.gen/providers/grafana/data-source";
import { MuteTiming } from "../../.gen/providers/grafana/mute-timing";
import { NotificationPolicy } from "../../.gen/providers/grafana/notification-policy";
import { RuleGroup } from "../../.gen/providers/grafana/rule-group";
import { GrafanaAlerting, GrafanaAlertingProps } from "../../constructs/grafana-alerting";
import { GrafanaAwsDataSources } from "../../constructs/grafana-data-sources";
import { GrafanaDashboards, GrafanaDashboardsProps } from "../../constructs/grafana-dashboards";
import { EXPRESSION_DATASOURCE, GrafanaAlertRuleSpec, GrafanaRuleGroup } from "../../constructs/grafana-rule-group";
import { GrafanaWorkspace } from "../../constructs/grafana-workspace";
import { RouteSpec } from "../../model/schema";

const ALERTING: GrafanaAlertingProps = {
  contactPoints: [
    { name: "oncall", pagerduty: { integrationKey: "${var.oncall_key}" } },
    { name: "team", slack: { url: "${var.team_webhook}", channel: "#team" } },
  ],
  timeIntervals: { nightly: [{ times: [{ start_time: "01:00", end_time: "02:00" }], weekdays: ["monday:friday"], location: "Europe/Berlin" }] },
  policy: {
    receiver: "team",
    group_by: ["alertname"],
    routes: [{ receiver: "oncall", matchers: ['severity="critical"', 'team=~"web|api"'], continue: true, mute_time_intervals: ["nightly"] }],
  },
};
const alerting = (props: Partial<GrafanaAlertingProps>) => Testing.synthScope((scope) => new GrafanaAlerting(scope, "alerting", { ...ALERTING, ...props }));

describe("GrafanaAlerting", () => {
  const synth = alerting({});

  test("contact points, mute timings and one policy tree whose matchers keep Alertmanager's operators", () => {
    expect(synth).toHaveResourceWithProperties(ContactPoint, { name: "oncall", pagerduty: [expect.objectContaining({ integration_key: "${var.oncall_key}" })] });
    expect(synth).toHaveResourceWithProperties(MuteTiming, { name: "nightly", intervals: [{ times: [{ start: "01:00", end: "02:00" }], weekdays: ["monday:friday"], location: "Europe/Berlin" }] });
    expect(synth).toHaveResourceWithProperties(NotificationPolicy, {
      group_by: ["alertname"],
      policy: [
        expect.objectContaining({
          continue: true,
          matcher: [
            { label: "severity", match: "=", value: "critical" },
            { label: "team", match: "=~", value: "web|api" },
          ],
        }),
      ],
    });
  });

  test("contact point names are unique per org", () => {
    expect(() => alerting({ contactPoints: [...ALERTING.contactPoints, { name: "team", email: { addresses: ["a@b.co"] } }] })).toThrow(/unique per Grafana org: team/);
  });

  test("policies nest at most five levels below the root", () => {
    const nested = (depth: number): RouteSpec => ({ matchers: [`level="${depth}"`], ...(depth > 1 ? { routes: [nested(depth - 1)] } : {}) });
    expect(() => alerting({ policy: { receiver: "team", routes: [nested(5)] } })).not.toThrow();
    expect(() => alerting({ policy: { receiver: "team", routes: [nested(6)] } })).toThrow(/at most 5 levels/);
  });

  test("the tree may only name existing contact points and timings; each contact point has one integration", () => {
    expect(() => alerting({ policy: { receiver: "nobody" } })).toThrow(/nobody, which has no contact point/);
    expect(() => alerting({ policy: { receiver: "team", routes: [{ receiver: "oncall", mute_time_intervals: ["weekend"] }] } })).toThrow(/weekend, which is not defined/);
    expect(() => alerting({ contactPoints: [{ name: "x", webhook: { url: "u" }, email: { addresses: ["a@b.co"] } }], policy: { receiver: "x" } })).toThrow(/exactly one integration/);
  });
});

const RULE: GrafanaAlertRuleSpec = {
  name: "NoData",
  condition: "B",
  for: "5m",
  noDataState: "Alerting",
  execErrState: "Alerting",
  labels: { severity: "critical" },
  annotations: { summary: "cost ${budget}" },
  data: [
    { refId: "A", datasourceUid: "amp", lookbackSeconds: 600, model: { expr: "count(up)" } },
    { refId: "B", datasourceUid: EXPRESSION_DATASOURCE, model: { type: "threshold", expression: "A" } },
  ],
};

describe("GrafanaRuleGroup", () => {
  test("alerting rules carry their condition; free text is escaped for Terraform", () => {
    const synth = Testing.synthScope((scope) => new GrafanaRuleGroup(scope, "rules", { name: "g", folderUid: "f", intervalSeconds: 60, rules: [RULE] }));
    expect(synth).toHaveResourceWithProperties(RuleGroup, { name: "g", folder_uid: "f", interval_seconds: 60 });
    const rule = (Object.values(JSON.parse(synth).resource.grafana_rule_group)[0] as any).rule[0];
    expect(rule.condition).toBe("B");
    expect(rule.annotations.summary).toBe("cost $${budget}");
    expect(rule.data.map((d: any) => [d.ref_id, JSON.parse(d.model).refId, d.relative_time_range.from])).toEqual([
      ["A", "A", 600],
      ["B", "B", 0],
    ]);
  });

  test("a condition that names none of the rule's queries is refused", () => {
    expect(() => Testing.synthScope((scope) => new GrafanaRuleGroup(scope, "rules", { name: "g", folderUid: "f", intervalSeconds: 60, rules: [{ ...RULE, condition: "C" }] }))).toThrow(
      /condition C is none of its queries \(A, B\)/,
    );
  });
});

describe("GrafanaDashboards", () => {
  const props: GrafanaDashboardsProps = {
    folders: [{ key: "web", uid: "shop-web", title: "Shop / web" }],
    dashboards: [{ key: "api", folder: "web", json: { uid: "shop-api", title: "API ${service}" } }],
  };
  const dashboards = (p: Partial<GrafanaDashboardsProps>) => Testing.synthScope((scope) => new GrafanaDashboards(scope, "d", { ...props, ...p }));

  test("dashboards go into their folder by reference; template variables in the JSON reach Grafana as text", () => {
    const synth = dashboards({});
    expect(synth).toHaveResourceWithProperties(Dashboard, { overwrite: true, config_json: '{"uid":"shop-api","title":"API $${service}"}' });
    expect((Object.values(JSON.parse(synth).resource.grafana_dashboard)[0] as any).folder).toMatch(/^\$\{grafana_folder\..+\.uid\}$/);
  });

  test("a dashboard needs its own uid (a changed uid replaces the dashboard) and an existing folder", () => {
    expect(() => dashboards({ dashboards: [{ key: "x", folder: "web", json: { title: "x" } }] })).toThrow(/has no uid/);
    expect(() => dashboards({ dashboards: [...props.dashboards, { key: "y", folder: "web", json: { uid: "shop-api" } }] })).toThrow(/share the uid shop-api/);
    expect(() => dashboards({ dashboards: [{ key: "x", folder: "ops", json: { uid: "x" } }] })).toThrow(/folder ops, which is not defined/);
  });
});

describe("GrafanaAwsDataSources", () => {
  const make = (scope: Construct, keys?: { accessKeyId: string; secretAccessKey: string }, auth: "default" | "keys" = "default") =>
    new GrafanaAwsDataSources(scope, "ds", { namePrefix: "shop prod", uids: { amp: "shop-amp", cloudwatch: "shop-cw" }, region: "eu-west-1", ampEndpoint: "https://aps/workspaces/ws-1/", auth, keys });

  test("access keys go with auth keys, and only with it", () => {
    expect(() => Testing.synthScope((scope) => make(scope, undefined, "keys"))).toThrow(/access keys go with auth "keys"/);
    expect(() => Testing.synthScope((scope) => make(scope, { accessKeyId: "a", secretAccessKey: "b" }))).toThrow(/access keys go with auth "keys"/);
  });

  test("AMP's URL drops the endpoint's trailing slash", () => {
    expect(Testing.synthScope((scope) => make(scope))).toHaveResourceWithProperties(DataSource, { type: "prometheus", url: '${trimsuffix("https://aps/workspaces/ws-1/", "/")}' });
  });
});

describe("GrafanaWorkspace (AWS)", () => {
  const synth = Testing.synthScope(
    (scope) => new GrafanaWorkspace(scope, "grafana", { name: "shop-prod", authentication: ["SAML"], grafanaVersion: "10.4", partition: "aws", account: "123456789012", ampWorkspaceArn: "arn:aws:aps:eu-west-1:123456789012:workspace/ws-1" }),
  );

  test("a customer-managed workspace whose role only Grafana of this account may assume", () => {
    expect(synth).toHaveResourceWithProperties(AwsGrafanaWorkspace, { permission_type: "CUSTOMER_MANAGED", authentication_providers: ["SAML"], grafana_version: "10.4" });
    const role = Object.values<any>(JSON.parse(synth).resource.aws_iam_role)[0];
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "grafana.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } },
    ]);
    expect(synth).toHaveResource(IamRole);
  });
});
