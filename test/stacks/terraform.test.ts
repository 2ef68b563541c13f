// The synthesized stacks against real Terraform, offline: every stack of the default example
// passes `terraform init` + `validate`, and `plan` creates exactly the resources cdktf wrote, with
// the AMP workspace protected, no secret in any planned value, and rule files, the alert manager
// definition and alarm texts reaching AWS verbatim (Terraform reads `${`/`%{` in .tf.json strings
// as template syntax; a probe model puts both into every free-text field).
//
// Needs `terraform` on the PATH and $TF_PROVIDER_MIRROR (see test/terraform-support.ts).
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import * as yaml from "js-yaml";
import { blueprintCatalog } from "../../alerts/blueprints";
import { packNamespaces } from "../../alerts/namespaces";
import { ampAlertManagerDefinition } from "../../alerts/routing";
import { buildRuleGroups } from "../../alerts/rules";
import { topicArn, topicName } from "../../constructs/notification-topics";
import { LoadedModel, loadModelFile } from "../../model/load";
import { partitionOf } from "../../stacks/aws-monitoring-stack";
import { awsStackName } from "../../stacks/environment-state";
import { EXAMPLES, SynthOutput, loadExample, synthToTemp, tempDir } from "../support";
import {
  Terraform,
  countByType,
  offlineStackDir,
  offlineTerraform,
  shorten,
  singleResourceState,
  synthesizedAddresses,
  synthesizedResourceCounts,
  terraform,
  terraformRaw,
  withoutOfflineOverride,
} from "../terraform-support";

const model = loadExample(EXAMPLES.sportsCoach);
const STACKS = model.environments.map((e) => awsStackName(model.project, e.name)).sort();
const PROD = awsStackName(model.project, "prod");

// The example's prod stack, spelled out so that any change in what gets deployed shows in review.
const PROD_RESOURCE_COUNTS: Record<string, number> = {
  aws_cloudwatch_composite_alarm: 1,
  aws_cloudwatch_log_group: 2, // AMP's and the notifier's
  aws_cloudwatch_metric_alarm: 28, // 25 from the model, 3 watching the notifier
  aws_eks_access_entry: 1, // the managed collector's role in the EKS cluster
  aws_iam_role: 1, // the notifier's
  aws_iam_role_policy: 1,
  aws_kms_alias: 1,
  aws_kms_key: 1,
  aws_lambda_function: 1, // the notifier
  aws_lambda_function_event_invoke_config: 1,
  aws_lambda_permission: 5, // SNS may invoke it from the 5 non-e-mail receivers' topics
  aws_prometheus_alert_manager_definition: 1,
  aws_prometheus_rule_group_namespace: 4,
  aws_prometheus_scraper: 1,
  aws_prometheus_workspace: 1,
  aws_sns_topic: 6,
  aws_sns_topic_policy: 6,
  aws_sns_topic_subscription: 6, // 1 e-mail address, 5 notifier subscriptions
  aws_sqs_queue: 1, // the notifier's dead-letter queue
};
const PROD_RESOURCE_TOTAL = 69;

/** Receivers are referenced by Secrets Manager / SSM name only; none of these may reach Terraform. */
const SECRET_PATTERNS = [/hooks\.slack\.com/i, /oapi\.dingtalk\.com\/robot\/send\?access_token=/i, /events\.pagerduty\.com/i];

/** Text Terraform would misread as interpolation / directive / escape if written to .tf.json unescaped. */
const PROBE_TEXT = "cost ${{ $value | humanize }} vs ${var.budget}; %{ if x }100%{ endif }; $${kept} %%{kept}";
const PROBE_LABEL = "${probe} %{probe}";
const PROBE_ALERT = "TemplateSyntaxProbe";
const PROBE_ALARM = "template-syntax-probe";

interface StackRun {
  init: Promise<void>;
  /** `terraform validate -json` of the synthesized config exactly as written (no override). */
  validate?: Promise<any>;
  /** `terraform show -json` of a saved plan against an empty local state. */
  plan: Promise<any>;
  /** Result of `plan -destroy` against a state holding just the AMP workspace. */
  destroy?: Promise<{ code: number; output: string }>;
}

const settled = (p: Promise<unknown>) => p.then(
  () => undefined,
  () => undefined,
);

let tf: Terraform;
let synth: SynthOutput;
let probe: { model: LoadedModel; synth: SynthOutput; stack: string };
const runs: Record<string, StackRun> = {};
let probeRun: StackRun;
const cleanup: string[] = [];

/** One init per stack, reused by validate, plan, show (and the destroy check); stacks run in parallel. */
function startStack(out: SynthOutput, stack: string, workName: string, opts: { validate: boolean; destroy: boolean }): StackRun {
  const dir = offlineStackDir(tf, out.outdir, stack, workName);
  const init = terraform(tf, dir, ["init", "-input=false"]).then(() => undefined);
  const validate = !opts.validate
    ? undefined
    : init.then(() =>
        withoutOfflineOverride(dir, async () => {
          const r = await terraformRaw(tf, dir, ["validate", "-json"]);
          try {
            return JSON.parse(r.stdout);
          } catch {
            throw new Error(`terraform validate -json in ${dir} (exit ${r.code}) printed no JSON:\n${shorten(r.stdout + r.stderr)}`);
          }
        }),
      );
  // Plan waits for validate: validate briefly moves the override file aside.
  const plan = settled(validate ?? init).then(async () => {
    await init;
    await terraform(tf, dir, ["plan", "-input=false", "-lock=false", "-out=tfplan"]);
    return JSON.parse(await terraform(tf, dir, ["show", "-json", "tfplan"]));
  });
  const destroy = !opts.destroy
    ? undefined
    : settled(plan).then(async () => {
        await init;
        const [name, ws] = Object.entries<any>(out.stacks[stack].resource.aws_prometheus_workspace)[0];
        const id = "ws-00000000-0000-4000-8000-000000000000";
        const arn = `arn:aws:aps:us-east-1:000000000000:workspace/${id}`;
        writeFileSync(path.join(dir, "terraform.tfstate"), singleResourceState("aws_prometheus_workspace", name, { id, alias: ws.alias, arn }));
        const r = await terraformRaw(tf, dir, ["plan", "-destroy", "-refresh=false", "-input=false", "-lock=false"]);
        return { code: r.code, output: r.stdout + r.stderr };
      });
  for (const p of [init, validate, plan, destroy]) if (p) settled(p); // reported by the tests that await them
  return { init, validate, plan, destroy };
}

/** The example with one environment and `${`/`%{` in an alert's annotations and an alarm's description and tags. */
function synthProbe(): typeof probe {
  const doc = yaml.load(readFileSync(EXAMPLES.sportsCoach, "utf8")) as any;
  doc.environments = { dev: doc.environments.dev };
  doc.alerts[PROBE_ALERT] = {
    team: "backend",
    expr: "vector(1) > 2",
    severity: "info",
    labels: { probe: PROBE_LABEL },
    summary: PROBE_TEXT,
    description: PROBE_TEXT,
  };
  doc.alarms[PROBE_ALARM] = { ...doc.alarms["api-5xx-burst"], description: PROBE_TEXT, labels: { probe: PROBE_LABEL } };
  const dir = tempDir("terraform-probe-model");
  cleanup.push(dir);
  const file = path.join(dir, "probe.yaml");
  writeFileSync(file, yaml.dump(doc, { lineWidth: -1 }));
  const out = synthToTemp(file, "terraform-probe-synth");
  cleanup.push(out.outdir);
  return { model: loadModelFile(file, blueprintCatalog), synth: out, stack: awsStackName(doc.project, "dev") };
}

beforeAll(() => {
  synth = synthToTemp(EXAMPLES.sportsCoach, "terraform-synth");
  cleanup.push(synth.outdir);
  tf = offlineTerraform(synth.stacks[PROD].terraform.required_providers.aws.version);
  cleanup.push(tf.root);
  for (const stack of STACKS) runs[stack] = startStack(synth, stack, stack, { validate: true, destroy: stack === PROD });
  probe = synthProbe();
  probeRun = startStack(probe.synth, probe.stack, `probe-${probe.stack}`, { validate: false, destroy: false });
});

afterAll(async () => {
  const all = [...Object.values(runs), ...(probeRun ? [probeRun] : [])];
  await Promise.all(all.flatMap((r) => [r.init, r.validate, r.plan, r.destroy].map((p) => p && settled(p))));
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

const plannedResources = (plan: any, type?: string): any[] =>
  (plan.planned_values?.root_module?.resources ?? []).filter((r: any) => !type || r.type === type);
const byName = (a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name);

/** What Terraform will send to AWS equals what the generators produced, character for character. */
function expectVerbatimAmpTexts(plan: any, m: LoadedModel, envName: string): void {
  const env = m.environments.find((e) => e.name === envName)!;
  const prefix = `${m.project}-${envName}`;
  const planned = plannedResources(plan, "aws_prometheus_rule_group_namespace").map((r) => ({ name: r.values.name, data: r.values.data }));
  const expected = packNamespaces(buildRuleGroups(env.model), env.settings.amp.namespace_max_bytes).map((ns) => ({ name: ns.name, data: ns.data }));
  expect(planned.sort(byName)).toEqual(expected.sort(byName));

  const account = { partition: partitionOf(env.settings.region), region: env.settings.region, account: env.settings.account };
  const definition = ampAlertManagerDefinition(env.model, { region: env.settings.region, topicArn: (r) => topicArn(account, topicName(prefix, r)) });
  expect(plannedResources(plan, "aws_prometheus_alert_manager_definition").map((r) => r.values.definition)).toEqual([definition]);
}

test("the example synthesizes one AWS stack per environment", () => {
  expect(Object.keys(synth.stacks).filter((s) => s.endsWith("-aws")).sort()).toEqual(STACKS);
  expect(STACKS).toEqual(["sports-coach-dev-aws", "sports-coach-prod-aws", "sports-coach-staging-aws"]);
});

describe.each(STACKS)("%s", (stack) => {
  const envName = model.environments.find((e) => awsStackName(model.project, e.name) === stack)!.name;

  test("terraform init (offline, provider from the mirror) and validate succeed", async () => {
    const result = await runs[stack].validate!;
    const diagnostics = (result.diagnostics ?? []).map(
      (d: any) =>
        `${d.severity}: ${d.summary}${d.detail ? ` — ${d.detail}` : ""}` +
        `${d.range ? ` (${d.range.filename}:${d.range.start.line}${d.snippet?.context ? `, ${d.snippet.context}` : ""})` : ""}`,
    );
    if (!result.valid || result.warning_count > 0) throw new Error(`terraform validate of ${stack}:\n${shorten(diagnostics.join("\n"))}`);
    expect(result).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  test("plan creates exactly the synthesized resources", async () => {
    const plan = await runs[stack].plan;
    const config = synth.stacks[stack];
    const expected = synthesizedResourceCounts(config);

    expect(plan.errored).toBe(false);
    expect(countByType(plan.resource_changes)).toEqual(expected);
    expect(countByType(plannedResources(plan))).toEqual(expected);
    expect(plan.resource_changes.map((rc: any) => rc.address).sort()).toEqual(synthesizedAddresses(config));
    const notCreate = plan.resource_changes.filter((rc: any) => rc.change.actions.join(",") !== "create");
    expect(notCreate.map((rc: any) => `${rc.address}: ${rc.change.actions}`)).toEqual([]);
    for (const [name, change] of Object.entries<any>(plan.output_changes ?? {})) expect([name, change.actions]).toEqual([name, ["create"]]);
  });

  test("the provider only accepts the environment's account (checked in config: the offline plan cannot)", () => {
    const env = model.environments.find((e) => e.name === envName)!;
    expect(synth.stacks[stack].provider.aws).toEqual([expect.objectContaining({ allowed_account_ids: [env.settings.account], region: env.settings.region })]);
  });

  test("rule files and the alert manager definition reach AWS verbatim", async () => {
    expectVerbatimAmpTexts(await runs[stack].plan, model, envName);
  });

  test("no secret-looking value in the configuration or the plan", async () => {
    const plan = await runs[stack].plan;
    const planned = JSON.stringify(plan.planned_values);
    // Not vacuous: the routing tree and rule files are part of the planned values.
    expect(planned).toContain("alertmanager_config");
    expect(planned).toContain("groups:");
    for (const [what, text] of [
      ["planned values", planned],
      ["plan", JSON.stringify(plan)],
      ["cdk.tf.json", JSON.stringify(synth.stacks[stack])],
    ])
      for (const pattern of SECRET_PATTERNS) expect(`${what}: ${pattern.test(text) ? `matches ${pattern}` : "clean"}`).toBe(`${what}: clean`);
  });
});

test(`${PROD}: planned resource counts`, async () => {
  const plan = await runs[PROD].plan;
  expect(countByType(plan.resource_changes)).toEqual(PROD_RESOURCE_COUNTS);
  expect(plan.resource_changes).toHaveLength(PROD_RESOURCE_TOTAL);
  expect(Object.values(PROD_RESOURCE_COUNTS).reduce((a, b) => a + b, 0)).toBe(PROD_RESOURCE_TOTAL);
});

test("the AMP workspace is protected by prevent_destroy unless the environment opts out", () => {
  const lifecycle = Object.fromEntries(
    STACKS.map((s) => [s, Object.values<any>(synth.stacks[s].resource.aws_prometheus_workspace).map((w) => w.lifecycle?.prevent_destroy)]),
  );
  expect(lifecycle).toEqual({
    "sports-coach-dev-aws": [false], // examples/sports-coach.yaml: dev sets amp.prevent_destroy: false
    "sports-coach-prod-aws": [true],
    "sports-coach-staging-aws": [true],
  });
});

test(`${PROD}: Terraform refuses to plan destroying the AMP workspace`, async () => {
  const { code, output } = await runs[PROD].destroy!;
  if (code === 0 || !/Instance cannot be destroyed/.test(output))
    throw new Error(`expected plan -destroy to fail on lifecycle.prevent_destroy (exit ${code}):\n${shorten(output)}`);
  expect(output).toMatch(/aws_prometheus_workspace\.\S+ has\s+lifecycle\.prevent_destroy set/);
});

test("`${` and `%{` in model texts reach AWS verbatim (rule files, alert manager definition, alarm description and tags)", async () => {
  const plan = await probeRun.plan;
  expectVerbatimAmpTexts(plan, probe.model, "dev");
  expect(plannedResources(plan, "aws_prometheus_rule_group_namespace").some((r) => r.values.data.includes(`probe: ${PROBE_LABEL}`))).toBe(true);
  const alarms = plannedResources(plan, "aws_cloudwatch_metric_alarm").filter((r) => r.values.alarm_name.endsWith(`-${PROBE_ALARM}`));
  expect(alarms.map((r) => [r.values.alarm_description, r.values.tags.probe])).toEqual([[PROBE_TEXT, PROBE_LABEL]]);
});
