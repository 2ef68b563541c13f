// Grafana's notification policy tree and Alertmanager's routing decide alike: the synthesized
// grafana_notification_policy is walked with our own evaluator of Grafana's semantics and compared
// with receiversFor (which routes CloudWatch alarms) and with amtool on the plain Alertmanager config.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { promisify } from "node:util";
import { Testing } from "cdktf";
import { SNS_TEMPLATES, buildAlertmanagerConfig, dumpYaml, receiversFor } from "../../alerts/routing";
import { buildRuleGroups } from "../../alerts/rules";
import { LoadedModel } from "../../model/load";
import { MatchOp, matches } from "../../model/matchers";
import { GrafanaStack, grafanaStackName } from "../../stacks/grafana-stack";
import { EXAMPLES, loadExample, requireTool, tempDir } from "../support";

const amtool = requireTool("amtool", "apt-get install prometheus-alertmanager (see .ci/run)");
type Labels = Record<string, string>;

interface Policy {
  contact_point?: string;
  matcher?: Array<{ label: string; match: string; value: string }>;
  continue?: boolean;
  policy?: Policy[];
}

/** Grafana's label matchers are Alertmanager's (missing label = "", anchored regexes): one implementation. */
const grafanaMatches = (m: { label: string; match: string; value: string }, labels: Labels) =>
  matches({ name: m.label, op: m.match as MatchOp, value: m.value }, labels);

/**
 * Contact points Grafana notifies: the root matches everything; the first matching child takes the
 * alert, later siblings too while `continue` is set; a policy without matching children notifies
 * its contact point, inherited from its parent when it names none.
 */
function grafanaContactPoints(root: Policy, labels: Labels, nameOf: (ref: string) => string): string[] {
  const out: string[] = [];
  const visit = (policy: Policy, inherited: string): void => {
    const contactPoint = policy.contact_point ? nameOf(policy.contact_point) : inherited;
    let matched = false;
    for (const child of policy.policy ?? []) {
      if (!(child.matcher ?? []).every((m) => grafanaMatches(m, labels))) continue;
      visit(child, contactPoint);
      matched = true;
      if (!child.continue) break;
    }
    if (!matched) out.push(contactPoint);
  };
  visit(root, "");
  return [...new Set(out)];
}

function synthesizedPolicy(loaded: LoadedModel, env: string) {
  const environment = loaded.environments.find((e) => e.name === env)!;
  const json = JSON.parse(Testing.synth(new GrafanaStack(Testing.app(), grafanaStackName(loaded.project, env), { project: loaded.project, environment })));
  const [root] = Object.values<Policy>(json.resource.grafana_notification_policy);
  const points = json.resource.grafana_contact_point as Record<string, { name: string }>;
  // Policies name contact points by reference: ${grafana_contact_point.<id>.name}.
  const nameOf = (ref: string) => {
    const id = /^\$\{grafana_contact_point\.([^.]+)\.name\}$/.exec(ref)?.[1];
    if (!id || !points[id]) throw new Error(`policy names ${ref}, which is no contact point of the stack`);
    return points[id].name;
  };
  return { model: environment.model, route: (labels: Labels) => grafanaContactPoints(root, labels, nameOf) };
}

async function amtoolReceivers(configFile: string, labels: Labels): Promise<string[]> {
  const { stdout } = await promisify(execFile)(amtool, ["config", "routes", "test", `--config.file=${configFile}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)]);
  return [...new Set(stdout.trim().split(","))];
}

const sports = loadExample(EXAMPLES.sportsCoach);
const cet4 = loadExample(EXAMPLES.cet4);
const policies = {
  "sports-coach prod": synthesizedPolicy(sports, "prod"),
  "sports-coach dev": synthesizedPolicy(sports, "dev"),
  "cet4 prod": synthesizedPolicy(cet4, "prod"),
};
type Env = keyof typeof policies;

const critical = ["pagerduty-oncall", "dingtalk-ops"];
const CASES: Array<[Env, string, Labels, string[]]> = [
  ["sports-coach prod", "critical API alert pages on-call and DingTalk, then the team channel", { alertname: "HttpApiDown", severity: "critical", service: "sports-api", team: "backend" }, [...critical, "slack-backend"]],
  ["sports-coach prod", "critical AI alert pages, then the AI channel", { alertname: "AiModelDown", severity: "critical", service: "ai-matching", team: "ai" }, [...critical, "slack-ai"]],
  ["sports-coach prod", "critical cache alert takes the nested data-store route", { alertname: "RedisDown", severity: "critical", service: "sports-cache", team: "backend" }, [...critical, "slack-backend"]],
  ["sports-coach prod", "warning goes to the team channel only", { alertname: "HttpApiHigh4xxRate", severity: "warning", service: "sports-api", team: "backend" }, ["slack-backend"]],
  ["sports-coach prod", "database warning takes the nested route", { alertname: "PostgresSlowQueries", severity: "warning", service: "sports-db", team: "backend" }, ["slack-backend"]],
  ["sports-coach prod", "AI warning goes to the AI channel", { alertname: "AiModelHighErrorRate", severity: "warning", service: "ai-chatbot", team: "ai" }, ["slack-ai"]],
  ["sports-coach prod", "AI info is not for the AI channel: e-mail in business hours", { alertname: "RecommendationDiversityLow", severity: "info", service: "ai-recommendation", team: "ai" }, ["email-ops"]],
  ["sports-coach prod", "host down pages (platform team has no channel of its own)", { alertname: "HostDown", severity: "critical", service: "app-hosts", team: "platform", instance: "10.0.0.7:9100" }, [...critical, "slack-backend"]],
  ["sports-coach prod", "Grafana's own rule routes like any critical alert", { alertname: "GrafanaCannotReadAmp", severity: "critical", team: "meta", source: "grafana" }, [...critical, "slack-backend"]],
  ["sports-coach prod", "CloudWatch alarm labels route the same way", { alertname: "AlbTarget5xxRatio", severity: "warning", service: "sports-api", team: "backend", source: "cloudwatch" }, ["slack-backend"]],
  ["sports-coach prod", "Watchdog reaches only the heartbeat, whatever its severity", { alertname: "Watchdog", severity: "critical" }, ["heartbeat"]],
  ["sports-coach prod", "unlabelled alerts take the default", { alertname: "Something" }, ["email-ops"]],
  ["sports-coach prod", "regex matchers are anchored: a partial match is no match", { alertname: "X", severity: "criticality", team: "ai" }, ["email-ops"]],
  ["sports-coach dev", "dev pages nobody: critical goes to the team channel", { alertname: "HttpApiDown", severity: "critical", service: "sports-api", team: "backend" }, ["slack-backend"]],
  ["sports-coach dev", "dev info takes the default", { alertname: "RecommendationDiversityLow", severity: "info", team: "ai" }, ["email-ops"]],
  ["cet4 prod", "critical fans out to PagerDuty, SMS, e-mail and DingTalk", { alertname: "PostgresDown", severity: "critical", service: "cet4-db", team: "ops" }, ["pagerduty-oncall", "sms-gateway", "email-ops", "dingtalk-ops"]],
  ["cet4 prod", "database warning takes the nested per-instance route", { alertname: "PostgresSlowQueries", severity: "warning", service: "cet4-db", category: "database" }, ["dingtalk-ops"]],
  ["cet4 prod", "info goes to DingTalk once a day", { alertname: "LowDailyActiveUsers", severity: "info", category: "business" }, ["dingtalk-ops"]],
];

describe("the Grafana policy tree, receiversFor and amtool pick the same receivers", () => {
  const configs = {} as Record<Env, string>;
  beforeAll(() => {
    const dir = tempDir("grafana-routing");
    writeFileSync(path.join(dir, "monitoring.tmpl"), SNS_TEMPLATES);
    for (const env of Object.keys(policies) as Env[]) {
      configs[env] = path.join(dir, `${env.replace(/\W+/g, "-")}.yml`);
      const config = buildAlertmanagerConfig(policies[env].model, { region: "us-east-1", topicArn: (r) => `arn:aws:sns:us-east-1:123456789012:${r}`, templates: [path.join(dir, "monitoring.tmpl")] });
      writeFileSync(configs[env], dumpYaml(config));
    }
  });

  test.each(CASES)("%s: %s", async (env, _what, labels, expected) => {
    const { model, route } = policies[env];
    expect(route(labels)).toEqual(expected);
    expect(receiversFor(model.routing, labels)).toEqual(expected);
    expect(await amtoolReceivers(configs[env], labels)).toEqual(expected);
  });

  test.each(Object.keys(policies) as Env[])("%s: the Grafana tree agrees with receiversFor for every generated alert", (env) => {
    const { model, route } = policies[env];
    const labelSets = buildRuleGroups(model).flatMap((g) => g.rules.filter((r) => r.alert).map((r) => ({ alertname: r.alert!, ...r.labels })));
    expect(labelSets.length).toBeGreaterThan(40);
    for (const labels of labelSets) expect([labels, route(labels)]).toEqual([labels, receiversFor(model.routing, labels)]);
  });
});
