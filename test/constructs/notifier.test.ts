// The notifier as synthesized: the construct on its own (function, dead-letter queue, IAM, SNS
// subscriptions, alarms), inside the example's stack, with `{variable: x}` secrets (checked against
// a real `terraform plan`: the value must not be in the plan), and its deterministic package.
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { Testing } from "cdktf";
import * as yaml from "js-yaml";
import { Notifier, notifierPolicy } from "../../constructs/notifier";
import { notifierBundle, notifierPackage } from "../../constructs/notifier-bundle";
import { canonicalJson } from "../../constructs/notifier-config";
import { loadModelFile } from "../../model/load";
import { blueprintCatalog } from "../../alerts/blueprints";
import { NotifierConfig } from "../../notifier/types";
import { AwsMonitoringStack } from "../../stacks/aws-monitoring-stack";
import { awsStackName } from "../../stacks/environment-state";
import { EXAMPLES, loadExample, requireTool, run, synthToTemp, tempDir } from "../support";
import { offlineStackDir, offlineTerraform, terraform } from "../terraform-support";

const parsed = (synth: string): any => JSON.parse(synth);
const resources = (json: any, type: string): any[] => Object.values(json.resource[type] ?? {});

const CONFIG: NotifierConfig = {
  namePrefix: "shop-prod",
  receivers: {
    "shop-prod-oncall": { name: "oncall", type: "pagerduty", routingKey: { secretsManager: "shop/pagerduty" } },
    "shop-prod-team": { name: "team", type: "slack", url: { secretsManager: "shop/chat", jsonKey: "slack" }, channel: "#team" },
    "shop-prod-robot": {
      name: "robot",
      type: "dingtalk",
      url: { secretsManager: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:shop/robot-Xy12Ab" },
      signingSecret: { ssm: "/shop/robot/secret" },
      atMobiles: [],
      atAllOnCritical: false,
    },
    "shop-prod-beat": { name: "beat", type: "webhook", url: { ssm: "/shop/beat" } },
  },
  alarmLabels: {},
};
const TOPICS = {
  oncall: "arn:aws:sns:eu-central-1:123456789012:shop-prod-oncall",
  team: "arn:aws:sns:eu-central-1:123456789012:shop-prod-team",
  robot: "arn:aws:sns:eu-central-1:123456789012:shop-prod-robot",
  beat: "arn:aws:sns:eu-central-1:123456789012:shop-prod-beat",
};
const FALLBACK = "arn:aws:sns:eu-central-1:123456789012:shop-prod-mail";

describe("Notifier construct", () => {
  const synth = Testing.synthScope((scope) => {
    new Notifier(scope, "notifier", {
      namePrefix: "shop-prod",
      account: "123456789012",
      region: "eu-central-1",
      partition: "aws",
      config: CONFIG,
      topicArns: TOPICS,
      logRetentionDays: 14,
      fallbackTopicArn: FALLBACK,
    });
  });
  const json = parsed(synth);

  test("a Node.js 20 function from the content-addressed package, with no environment at all", () => {
    const pkg = notifierPackage(canonicalJson(CONFIG));
    const [fn] = resources(json, LambdaFunction.tfResourceType);
    expect(fn).toMatchObject({
      function_name: "shop-prod-notifier",
      runtime: "nodejs20.x",
      handler: "index.handler",
      timeout: 120,
      source_code_hash: pkg.base64Sha256,
      filename: expect.stringMatching(new RegExp(`^assets/notifier_package_[0-9A-F]+/${pkg.sha256.slice(0, 32)}/notifier\\.zip$`)),
    });
    // Secrets are read at run time; nothing about them (not even names) rides in the environment.
    expect(fn.environment).toBeUndefined();
    expect(synth).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/lambda/shop-prod-notifier", retention_in_days: 14 });
  });

  test("failed invocations go to the dead-letter queue, without Lambda retrying them", () => {
    expect(synth).toHaveResourceWithProperties(SqsQueue, { name: "shop-prod-notifier-dlq", sqs_managed_sse_enabled: true, message_retention_seconds: 1209600 });
    const [invoke] = resources(json, LambdaFunctionEventInvokeConfig.tfResourceType);
    expect(invoke.maximum_retry_attempts).toBe(0);
    expect(invoke.destination_config.on_failure.destination).toMatch(/^\$\{aws_sqs_queue\.notifier_dlq_[0-9A-F]+\.arn\}$/);
  });

  test("subscribed to exactly its receivers' topics, each invoke permission scoped to its topic", () => {
    const subscriptions = resources(json, "aws_sns_topic_subscription");
    expect(subscriptions.map((s) => [s.topic_arn, s.protocol, s.endpoint]).sort()).toEqual(
      Object.values(TOPICS)
        .sort()
        .map((arn) => [arn, "lambda", expect.stringMatching(/^\$\{aws_lambda_function\.notifier_function_[0-9A-F]+\.arn\}$/)]),
    );
    const permissions = resources(json, "aws_lambda_permission");
    expect(permissions.map((p) => [p.principal, p.action, p.source_arn]).sort()).toEqual(Object.values(TOPICS).sort().map((arn) => ["sns.amazonaws.com", "lambda:InvokeFunction", arn]));
  });

  test("least privilege: own log group and queue, exactly the configured secrets, KMS only through them", () => {
    const [policy] = resources(json, "aws_iam_role_policy");
    const arns = {
      pagerduty: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:shop/pagerduty-??????",
      chat: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:shop/chat-??????",
      robot: "arn:aws:secretsmanager:eu-central-1:123456789012:secret:shop/robot-Xy12Ab",
    };
    const parameters = ["arn:aws:ssm:eu-central-1:123456789012:parameter/shop/beat", "arn:aws:ssm:eu-central-1:123456789012:parameter/shop/robot/secret"];
    const secrets = [arns.chat, arns.pagerduty, arns.robot];
    expect(JSON.parse(policy.policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        { Sid: "OwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: "arn:aws:logs:eu-central-1:123456789012:log-group:/aws/lambda/shop-prod-notifier:*" },
        { Sid: "OwnDeadLetterQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: "arn:aws:sqs:eu-central-1:123456789012:shop-prod-notifier-dlq" },
        { Sid: "ReceiverSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secrets },
        {
          Sid: "DecryptReceiverSecrets",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: "arn:aws:kms:eu-central-1:123456789012:key/*",
          Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-central-1.amazonaws.com" }, StringLike: { "kms:EncryptionContext:SecretARN": secrets } },
        },
        { Sid: "ReceiverParameters", Effect: "Allow", Action: "ssm:GetParameter", Resource: parameters },
        {
          Sid: "DecryptReceiverParameters",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: "arn:aws:kms:eu-central-1:123456789012:key/*",
          Condition: { StringEquals: { "kms:ViaService": "ssm.eu-central-1.amazonaws.com" }, StringLike: { "kms:EncryptionContext:PARAMETER_ARN": parameters } },
        },
      ],
    });
    const [role] = resources(json, "aws_iam_role");
    expect(JSON.parse(role.assume_role_policy).Statement).toEqual([
      { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } },
    ]);
    // No secret store, no statement for it.
    const sidsWithout = (config: NotifierConfig) =>
      (notifierPolicy(config, { partition: "aws", region: "r", account: "1", logGroupArn: "l", deadLetterQueueArn: "q" }).Statement as Array<{ Sid: string }>).map((s) => s.Sid);
    expect(sidsWithout({ ...CONFIG, receivers: { t: CONFIG.receivers["shop-prod-beat"] } })).toEqual(["OwnLogGroup", "OwnDeadLetterQueue", "ReceiverParameters", "DecryptReceiverParameters"]);
  });

  test("alarms on errors, throttles and dead letters notify only the fallback topic", () => {
    const alarms = resources(json, "aws_cloudwatch_metric_alarm").sort((x, y) => x.alarm_name.localeCompare(y.alarm_name));
    expect(alarms.map((a) => [a.alarm_name, a.namespace, a.metric_name, a.dimensions, a.statistic, a.threshold, a.comparison_operator])).toEqual([
      ["shop-prod-notifier-dead-letters", "AWS/SQS", "ApproximateNumberOfMessagesVisible", { QueueName: "shop-prod-notifier-dlq" }, "Maximum", 0, "GreaterThanThreshold"],
      ["shop-prod-notifier-errors", "AWS/Lambda", "Errors", { FunctionName: "shop-prod-notifier" }, "Sum", 0, "GreaterThanThreshold"],
      ["shop-prod-notifier-throttles", "AWS/Lambda", "Throttles", { FunctionName: "shop-prod-notifier" }, "Sum", 0, "GreaterThanThreshold"],
    ]);
    for (const a of alarms) expect([a.alarm_actions, a.ok_actions, a.treat_missing_data]).toEqual([[FALLBACK], [FALLBACK], "notBreaching"]);
  });
});

describe("the example's stack", () => {
  const loaded = loadExample(EXAMPLES.sportsCoach);
  const prod = loaded.environments.find((e) => e.name === "prod")!;
  const json = parsed(Testing.synth(new AwsMonitoringStack(Testing.app(), awsStackName(loaded.project, "prod"), { project: loaded.project, environment: prod })));
  const topicRef = (receiver: string) => {
    const [id] = Object.entries<any>(json.resource.aws_sns_topic).find(([, t]) => t.name === `sports-coach-prod-${receiver}`)!;
    return `\${aws_sns_topic.${id}.arn}`;
  };

  test("the notifier subscribes to pagerduty, slack, dingtalk and webhook topics; e-mail stays native", () => {
    const subscriptions = resources(json, "aws_sns_topic_subscription").map((s) => [s.topic_arn, s.protocol]);
    expect(subscriptions.sort()).toEqual(
      [
        ...["dingtalk-ops", "heartbeat", "pagerduty-oncall", "slack-ai", "slack-backend"].map((r) => [topicRef(r), "lambda"]),
        [topicRef("email-ops"), "email"],
      ].sort(),
    );
  });

  test("its alarms go to the model's fallback e-mail receiver, after that topic's policy exists", () => {
    const alarms = resources(json, "aws_cloudwatch_metric_alarm").filter((a) => a.alarm_name.startsWith("sports-coach-prod-notifier-"));
    expect(alarms).toHaveLength(3);
    for (const a of alarms) {
      expect(a.alarm_actions).toEqual([topicRef("email-ops")]);
      expect(a.depends_on).toEqual([expect.stringMatching(/^aws_sns_topic_policy\.notifications_policy-email-ops_/)]);
    }
  });

  test("a model with only e-mail receivers gets no notifier", () => {
    const mailOnly = {
      ...prod,
      model: { ...prod.model, receivers: { "email-ops": prod.model.receivers["email-ops"] }, routing: { ...prod.model.routing, routes: [], receiver: "email-ops", heartbeat: { receiver: "email-ops", repeat_interval: "5m" } } },
    };
    const stack = parsed(Testing.synth(new AwsMonitoringStack(Testing.app(), "mail-only", { project: loaded.project, environment: mailOnly })));
    expect(stack.resource.aws_lambda_function).toBeUndefined();
  });
});

describe("{variable: x} secret references", () => {
  // A fake webhook, assembled so the repository holds no secret-shaped literal.
  const SECRET_VALUE = ["https://hooks.slack.com/services", "T00000000", "B00000000", "VariableSecretValue123"].join("/");
  let modelFile: string;
  let json: any;

  beforeAll(() => {
    const doc = yaml.load(readFileSync(EXAMPLES.sportsCoach, "utf8")) as any;
    doc.environments = { dev: doc.environments.dev };
    doc.receivers["slack-backend"].webhook_url = { variable: "slack_backend_url" };
    modelFile = path.join(tempDir("variable-model"), "model.yaml");
    writeFileSync(modelFile, yaml.dump(doc));
    const env = loadModelFile(modelFile, blueprintCatalog).environments[0];
    json = parsed(Testing.synth(new AwsMonitoringStack(Testing.app(), "sports-coach-dev-aws", { project: "sports-coach", environment: env })));
  });

  test("become a Secrets Manager secret filled from an ephemeral, sensitive variable without default", () => {
    expect(json.variable.slack_backend_url).toEqual({ type: "string", sensitive: true, nullable: false, ephemeral: true, description: expect.any(String) });
    expect(json.variable.slack_backend_url_version).toMatchObject({ type: "number", default: 1 });
    expect(resources(json, "aws_secretsmanager_secret").map((s) => s.name)).toEqual(["sports-coach-dev/notifier/slack_backend_url"]);
    const [version] = resources(json, "aws_secretsmanager_secret_version");
    expect(version).toMatchObject({ secret_string_wo: "${var.slack_backend_url}", secret_string_wo_version: "${var.slack_backend_url_version}" });
    expect(version.secret_string).toBeUndefined();
    const policy = JSON.parse(resources(json, "aws_iam_role_policy")[0].policy);
    expect(policy.Statement.find((s: any) => s.Sid === "ReceiverSecrets").Resource).toContain("arn:aws:secretsmanager:us-east-1:111111111111:secret:sports-coach-dev/notifier/slack_backend_url-??????");
  });

  // `terraform show -json` only renders the plan file, so the value absent from every file inside it
  // (a sensitive, non-ephemeral variable would be in there three times) is absent from its output too.
  test("terraform plan with the value given: the value is in no file of the saved plan", async () => {
    const out = synthToTemp(modelFile, "variable-synth");
    const tf = offlineTerraform(out.stacks["sports-coach-dev-aws"].terraform.required_providers.aws.version);
    const dir = offlineStackDir(tf, out.outdir, "sports-coach-dev-aws");
    await terraform(tf, dir, ["init", "-input=false"]);
    const planText = await terraform(tf, dir, ["plan", "-input=false", "-lock=false", "-out=tfplan", `-var=slack_backend_url=${SECRET_VALUE}`]);
    const planFile = run(requireTool("unzip", "apt-get install unzip"), ["-p", path.join(dir, "tfplan")]);
    expect(planText).toMatch(/aws_secretsmanager_secret_version\.\S+ will be created/);
    for (const [what, text] of [
      ["plan output", planText],
      ["plan file", planFile],
      ["cdk.tf.json", JSON.stringify(out.stacks)],
    ])
      expect([what, text.includes("VariableSecretValue123")]).toEqual([what, false]);
  });
});

describe("the deployment package", () => {
  test("esbuild runs once per process; the same configuration gives the same bytes", () => {
    expect(notifierBundle()).toBe(notifierBundle());
    const a = notifierPackage(canonicalJson(CONFIG));
    const b = notifierPackage(canonicalJson(JSON.parse(JSON.stringify(CONFIG))));
    expect(b).toEqual(a);
    expect(createHash("sha256").update(readFileSync(a.file)).digest("hex")).toBe(a.sha256);
    expect(notifierPackage(canonicalJson({ ...CONFIG, namePrefix: "shop-dev" })).sha256).not.toBe(a.sha256);
  });

  test("canonical JSON: key order in the configuration does not matter", () => {
    const reversed = Object.fromEntries(Object.entries(CONFIG.receivers).reverse());
    expect(canonicalJson({ alarmLabels: {}, receivers: reversed, namePrefix: "shop-prod" })).toBe(canonicalJson(CONFIG));
  });

  test("entries with fixed times and modes, readable by unzip", () => {
    const listing = run(requireTool("zipinfo", "apt-get install unzip"), [notifierPackage(canonicalJson(CONFIG)).file]);
    const entries = listing.split("\n").filter((l) => /\s(config\.json|index\.js)$/.test(l));
    expect(entries).toHaveLength(2);
    for (const e of entries) expect(e).toMatch(/^-rw-r--r--\s+\S+\s+unx\s+\d+\s+\S+\s+defN\s+80-Jan-01 00:00\s/);
  });
});
