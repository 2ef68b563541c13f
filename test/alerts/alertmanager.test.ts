// The routing model rendered for Alertmanager, checked by the real amtool; and the AMP flavour
// of the same configuration checked against AMP's documented restrictions.
import { execFile } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { promisify } from "node:util";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { AMP_MAX_REPEAT_INTERVAL_MS, SNS_TEMPLATES, ampAlertManagerDefinition, buildAlertmanagerConfig, dumpYaml, receiversFor } from "../../alerts/routing";
import { buildRuleGroups } from "../../alerts/rules";
import { parseDuration } from "../../model/durations";
import { MonitoringModel } from "../../model/schema";
import { EXAMPLES, loadExample, requireTool, run, tempDir } from "../support";

const amtool = requireTool("amtool", "apt-get install prometheus-alertmanager (see .ci/run)");
const topicArn = (r: string) => `arn:aws:sns:us-east-1:123456789012:test-${r}`;
const examples = Object.entries(EXAMPLES).filter(([, file]) => existsSync(file));

function writePlainConfig(model: MonitoringModel, dir: string): string {
  const templates = path.join(dir, "monitoring.tmpl");
  writeFileSync(templates, SNS_TEMPLATES);
  const file = path.join(dir, "alertmanager.yml");
  writeFileSync(file, dumpYaml(buildAlertmanagerConfig(model, { region: "us-east-1", topicArn, templates: [templates] })));
  return file;
}

const routesTestArgs = (config: string, labels: Record<string, string>) => ["config", "routes", "test", `--config.file=${config}`, ...Object.entries(labels).map(([k, v]) => `${k}=${v}`)];
const receiverList = (out: string) => [...new Set(out.trim().split(","))];

/** What amtool says Alertmanager would do with an alert carrying these labels. */
function amtoolReceivers(config: string, labels: Record<string, string>): string[] {
  return receiverList(run(amtool, routesTestArgs(config, labels)));
}

/** The same for many label sets, a few amtool processes at a time. */
async function amtoolReceiversMany(config: string, labelSets: Record<string, string>[]): Promise<string[][]> {
  const exec = promisify(execFile);
  const results: string[][] = new Array(labelSets.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < labelSets.length; i = next++) results[i] = receiverList((await exec(amtool, routesTestArgs(config, labelSets[i]))).stdout);
  };
  await Promise.all(Array.from({ length: Math.min(8, availableParallelism()) }, worker));
  return results;
}

describe.each(examples)("%s example", (_name, file) => {
  const loaded = loadExample(file);

  test.each(loaded.environments.map((e) => [e.name, e.model] as const))("%s: plain Alertmanager config passes amtool check-config", (_env, model) => {
    const config = writePlainConfig(model, tempDir("am"));
    expect(run(amtool, ["check-config", config])).toContain("SUCCESS");
  });

  // One environment suffices here: the others differ only in overrides, which check-config covers.
  test.each(loaded.environments.filter((e) => e.name === "prod").map((e) => [e.name, e.model] as const))(
    "%s: amtool and receiversFor (used for CloudWatch alarms) agree for every generated alert",
    async (_env, model) => {
      const config = writePlainConfig(model, tempDir("am"));
      const labelSets = new Map<string, Record<string, string>>();
      for (const group of buildRuleGroups(model))
        for (const rule of group.rules)
          if (rule.alert) {
            const labels = { alertname: rule.alert, ...rule.labels };
            labelSets.set(JSON.stringify(labels), labels);
          }
      labelSets.set("{}", { alertname: "Unlabelled" });
      expect(labelSets.size).toBeGreaterThan(10);
      const sets = [...labelSets.values()];
      const fromAmtool = await amtoolReceiversMany(config, sets);
      sets.forEach((labels, i) => expect([labels, fromAmtool[i]]).toEqual([labels, receiversFor(model.routing, labels)]));
    },
  );

  test.each(loaded.environments.map((e) => [e.name, e.model] as const))("%s: AMP definition follows AMP's rules", (_env, model) => {
    const definition = yaml.load(ampAlertManagerDefinition(model, { region: "eu-west-1", topicArn })) as Record<string, string | Record<string, string>>;
    expect(Object.keys(definition).sort()).toEqual(["alertmanager_config", "template_files"]);
    const templateNames = Object.keys(definition.template_files);
    const config = yaml.load(definition.alertmanager_config as string) as any;
    expect(config.templates).toEqual(templateNames);
    const text = definition.alertmanager_config as string;
    expect(text).not.toMatch(/api_url|http_config|global:/);
    for (const receiver of config.receivers) {
      expect(Object.keys(receiver).sort()).toEqual(["name", "sns_configs"]);
      for (const sns of receiver.sns_configs) {
        expect(sns.sigv4.region).toBe("eu-west-1");
        expect(sns.topic_arn).not.toMatch(/\.fifo$/);
      }
    }
    const repeats: string[] = [];
    const walk = (route: any) => {
      if (route.repeat_interval) repeats.push(route.repeat_interval);
      (route.routes ?? []).forEach(walk);
    };
    walk(config.route);
    for (const r of repeats) expect(parseDuration(r)).toBeLessThanOrEqual(AMP_MAX_REPEAT_INTERVAL_MS);
  });
});

describe("the sports-coach example's routing decisions, confirmed by amtool", () => {
  const prod = loadExample(EXAMPLES.sportsCoach).environments.find((e) => e.name === "prod")!.model;
  let config: string;
  beforeAll(() => {
    config = writePlainConfig(prod, tempDir("am"));
  });

  test.each([
    ["critical pages on-call and DingTalk (continue), then the team channel", { alertname: "HttpApiDown", severity: "critical", service: "sports-api", team: "backend" }, ["pagerduty-oncall", "dingtalk-ops", "slack-backend"]],
    ["critical AI alert pages, then the AI channel", { alertname: "AiModelDown", severity: "critical", service: "ai-matching", team: "ai" }, ["pagerduty-oncall", "dingtalk-ops", "slack-ai"]],
    ["warning goes to the team channel only", { alertname: "HttpApiHigh4xxRate", severity: "warning", service: "sports-api", team: "backend" }, ["slack-backend"]],
    ["database warning takes the nested route", { alertname: "PostgresSlowQueries", severity: "warning", service: "sports-db", team: "backend" }, ["slack-backend"]],
    ["info goes to e-mail", { alertname: "BusinessDailySignupsLow", severity: "info", team: "business" }, ["email-ops"]],
    ["unmatched alerts take the default receiver", { alertname: "Something" }, ["email-ops"]],
    ["Watchdog reaches only the heartbeat", { alertname: "Watchdog", severity: "info", team: "meta" }, ["heartbeat"]],
  ])("%s", (_what, labels, expected) => {
    expect(amtoolReceivers(config, labels)).toEqual(expected);
    expect(receiversFor(prod.routing, labels)).toEqual(expected);
  });

  test("amtool --verify.receivers agrees (exit 0) for the critical fan-out", () => {
    run(amtool, ["config", "routes", "test", `--config.file=${config}`, "--verify.receivers=pagerduty-oncall,dingtalk-ops,slack-backend", "severity=critical", "team=backend"]);
  });
});

test("repeat intervals beyond AMP's cap are capped in the AMP rendering only", () => {
  const prod = loadExample(EXAMPLES.sportsCoach).environments[0].model;
  const model = { ...prod, routing: { ...prod.routing, repeat_interval: "14d" } };
  const plain = buildAlertmanagerConfig(model, { region: "us-east-1", topicArn, templates: [] }) as any;
  expect(plain.route.repeat_interval).toBe("14d");
  const amp = yaml.load((yaml.load(ampAlertManagerDefinition(model, { region: "us-east-1", topicArn })) as any).alertmanager_config) as any;
  expect(amp.route.repeat_interval).toBe("5d");
});
