// The notifier: a Node.js Lambda subscribed to the topics of pagerduty, slack, dingtalk and
// webhook receivers, with an SQS dead-letter queue for what it cannot deliver, a log group with
// retention, least-privilege IAM (its own secrets, log group and queue only) and alarms on its
// errors, throttles and dead letters that go to an e-mail topic, which SNS delivers without it.
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { LambdaFunctionEventInvokeConfig } from "@cdktf/provider-aws/lib/lambda-function-event-invoke-config";
import { LambdaPermission } from "@cdktf/provider-aws/lib/lambda-permission";
import { SecretsmanagerSecret } from "@cdktf/provider-aws/lib/secretsmanager-secret";
import { SecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/secretsmanager-secret-version";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { SqsQueue } from "@cdktf/provider-aws/lib/sqs-queue";
import { AssetType, ITerraformDependable, TerraformAsset, TerraformVariable } from "cdktf";
import { Construct } from "constructs";
import { NotifierConfig, SecretLocation } from "../notifier/types";
import { NOTIFIER_HANDLER, NOTIFIER_RUNTIME, notifierPackage } from "./notifier-bundle";
import { canonicalJson } from "./notifier-config";

export interface NotifierProps {
  /** `<project>-<env>`: the function is `<prefix>-notifier`, its queue `<prefix>-notifier-dlq`. */
  namePrefix: string;
  account: string;
  region: string;
  partition: string;
  /** Written into the package as config.json: receivers by topic name, secret locations, alarm labels. */
  config: NotifierConfig;
  /** Topic ARN per receiver in `config` (the topics the function subscribes to). */
  topicArns: Record<string, string>;
  /**
   * Terraform variables behind `{variable: x}` secret references, with the Secrets Manager secret
   * each fills (the name `config` uses). The value is given at apply time and never has a default.
   */
  variableSecrets?: Array<{ variable: string; secretName: string }>;
  logRetentionDays: number;
  /** An e-mail topic for the notifier's own alarms, and what must exist before CloudWatch may publish to it. */
  fallbackTopicArn: string;
  fallbackPublishPermission?: ITerraformDependable;
}

/** Long enough for retries with backoff plus one wait for a DingTalk robot's rate-limit window. */
export const NOTIFIER_TIMEOUT_SECONDS = 120;
const LAMBDA_NAME_MAX = 64;

export class Notifier extends Construct {
  readonly function: LambdaFunction;
  readonly deadLetterQueue: SqsQueue;
  readonly alarms: CloudwatchMetricAlarm[];

  constructor(scope: Construct, id: string, props: NotifierProps) {
    super(scope, id);
    const name = `${props.namePrefix}-notifier`;
    if (name.length > LAMBDA_NAME_MAX) throw new Error(`notifier function name ${name} is longer than Lambda's ${LAMBDA_NAME_MAX} characters; shorten the project or environment name`);
    const arn = (service: string, resource: string) => `arn:${props.partition}:${service}:${props.region}:${props.account}:${resource}`;

    const pkg = notifierPackage(canonicalJson(props.config));
    const asset = new TerraformAsset(this, "package", { path: pkg.file, type: AssetType.FILE, assetHash: pkg.sha256.slice(0, 32) });

    const logs = new CloudwatchLogGroup(this, "logs", { name: `/aws/lambda/${name}`, retentionInDays: props.logRetentionDays });
    this.deadLetterQueue = new SqsQueue(this, "dlq", {
      name: `${name}-dlq`,
      sqsManagedSseEnabled: true,
      messageRetentionSeconds: 14 * 24 * 3600,
    });

    // Ephemeral variable into a write-only attribute: the value reaches Secrets Manager but never the
    // plan file or the state (a merely sensitive one would sit in both, readable by `terraform show -json`).
    for (const v of props.variableSecrets ?? []) {
      const value = new TerraformVariable(this, `secret-${v.variable}`, {
        type: "string",
        sensitive: true,
        nullable: false,
        description: `Secret for the notifier, stored in Secrets Manager as ${v.secretName} (give it at plan and apply time)`,
      });
      value.addOverride("ephemeral", true);
      value.overrideLogicalId(v.variable);
      const version = new TerraformVariable(this, `secret-version-${v.variable}`, {
        type: "number",
        default: 1,
        description: `Increase to store a new value of ${v.variable} (Terraform cannot see write-only values change)`,
      });
      version.overrideLogicalId(`${v.variable}_version`);
      const secret = new SecretsmanagerSecret(this, `secret-store-${v.variable}`, { name: v.secretName, description: `Notifier secret from Terraform variable ${v.variable}` });
      new SecretsmanagerSecretVersion(this, `secret-value-${v.variable}`, { secretId: secret.id, secretStringWo: value.stringValue, secretStringWoVersion: version.numberValue });
    }

    const role = new IamRole(this, "role", {
      name,
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole", Condition: { StringEquals: { "aws:SourceAccount": props.account } } }],
      }),
    });
    const policy = new IamRolePolicy(this, "policy", {
      role: role.id,
      name: "notifier",
      policy: JSON.stringify(notifierPolicy(props.config, { ...props, logGroupArn: arn("logs", `log-group:/aws/lambda/${name}`), deadLetterQueueArn: arn("sqs", `${name}-dlq`) })),
    });

    this.function = new LambdaFunction(this, "function", {
      functionName: name,
      description: "Delivers alert notifications from SNS to PagerDuty, Slack, DingTalk and webhooks",
      role: role.arn,
      runtime: NOTIFIER_RUNTIME.lambda,
      architectures: ["arm64"],
      handler: NOTIFIER_HANDLER,
      filename: asset.path,
      sourceCodeHash: pkg.base64Sha256,
      memorySize: 256,
      timeout: NOTIFIER_TIMEOUT_SECONDS,
      // The log group and the role's permissions first: the function must never run without them.
      dependsOn: [logs, policy],
    });
    // SNS invokes asynchronously. Lambda's own retries are off: the handler retries transient
    // failures itself, and a rejected request (4xx) must not be sent again. Failures go to the queue.
    new LambdaFunctionEventInvokeConfig(this, "async", {
      functionName: this.function.functionName,
      maximumRetryAttempts: 0,
      maximumEventAgeInSeconds: 6 * 3600,
      destinationConfig: { onFailure: { destination: this.deadLetterQueue.arn } },
    });

    for (const receiver of Object.keys(props.topicArns).sort()) {
      const permission = new LambdaPermission(this, `invoke-${receiver}`, {
        statementId: `sns-${receiver}`,
        action: "lambda:InvokeFunction",
        functionName: this.function.functionName,
        principal: "sns.amazonaws.com",
        sourceArn: props.topicArns[receiver],
      });
      new SnsTopicSubscription(this, `subscription-${receiver}`, {
        topicArn: props.topicArns[receiver],
        protocol: "lambda",
        endpoint: this.function.arn,
        dependsOn: [permission],
      });
    }

    const alarm = (key: string, description: string, metric: { namespace: string; metricName: string; dimensions: Record<string, string>; statistic: string }) =>
      new CloudwatchMetricAlarm(this, `alarm-${key}`, {
        alarmName: `${name}-${key}`,
        alarmDescription: `${description} — notifications may not be reaching PagerDuty, Slack, DingTalk or webhooks (${name})`,
        ...metric,
        period: 300,
        evaluationPeriods: 1,
        comparisonOperator: "GreaterThanThreshold",
        threshold: 0,
        treatMissingData: "notBreaching",
        alarmActions: [props.fallbackTopicArn],
        okActions: [props.fallbackTopicArn],
        dependsOn: props.fallbackPublishPermission ? [props.fallbackPublishPermission] : undefined,
      });
    const fn = { FunctionName: name };
    this.alarms = [
      alarm("errors", "The notifier failed to deliver", { namespace: "AWS/Lambda", metricName: "Errors", dimensions: fn, statistic: "Sum" }),
      alarm("throttles", "The notifier was throttled", { namespace: "AWS/Lambda", metricName: "Throttles", dimensions: fn, statistic: "Sum" }),
      alarm("dead-letters", "Undelivered notifications are waiting in the dead-letter queue", {
        namespace: "AWS/SQS",
        metricName: "ApproximateNumberOfMessagesVisible",
        dimensions: { QueueName: `${name}-dlq` },
        statistic: "Maximum",
      }),
    ];
  }
}

/**
 * What the function may do: write its own log group, send to its own dead-letter queue, read
 * exactly the secrets its configuration names, and decrypt with KMS only through Secrets Manager
 * or SSM for those secrets (customer-managed keys; the AWS-managed keys need no grant).
 */
export function notifierPolicy(
  config: NotifierConfig,
  p: { partition: string; region: string; account: string; logGroupArn: string; deadLetterQueueArn: string },
): Record<string, unknown> {
  const locations: SecretLocation[] = Object.values(config.receivers).flatMap((r) =>
    r.type === "pagerduty" ? [r.routingKey] : r.type === "dingtalk" ? [r.url, ...(r.signingSecret ? [r.signingSecret] : [])] : [r.url],
  );
  const unique = (xs: string[]) => [...new Set(xs)].sort();
  // A name matches the secret's ARN, which ends in "-" and six random characters.
  const secretArns = unique(
    locations.flatMap((l) =>
      "secretsManager" in l ? [l.secretsManager.startsWith("arn:") ? l.secretsManager : `arn:${p.partition}:secretsmanager:${p.region}:${p.account}:secret:${l.secretsManager}-??????`] : [],
    ),
  );
  const parameterArns = unique(locations.flatMap((l) => ("ssm" in l ? [`arn:${p.partition}:ssm:${p.region}:${p.account}:parameter${l.ssm}`] : [])));
  const keys = `arn:${p.partition}:kms:${p.region}:${p.account}:key/*`;
  const statements: Array<Record<string, unknown>> = [
    { Sid: "OwnLogGroup", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${p.logGroupArn}:*` },
    { Sid: "OwnDeadLetterQueue", Effect: "Allow", Action: "sqs:SendMessage", Resource: p.deadLetterQueueArn },
  ];
  // Read exactly these secrets, and decrypt only through the service that holds them.
  const readWithKey = (sid: string, action: string, arns: string[], service: string, contextKey: string) =>
    arns.length === 0
      ? []
      : [
          { Sid: sid, Effect: "Allow", Action: action, Resource: arns },
          {
            Sid: `Decrypt${sid}`,
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: keys,
            Condition: { StringEquals: { "kms:ViaService": `${service}.${p.region}.amazonaws.com` }, StringLike: { [`kms:EncryptionContext:${contextKey}`]: arns } },
          },
        ];
  statements.push(
    ...readWithKey("ReceiverSecrets", "secretsmanager:GetSecretValue", secretArns, "secretsmanager", "SecretARN"),
    ...readWithKey("ReceiverParameters", "ssm:GetParameter", parameterArns, "ssm", "PARAMETER_ARN"),
  );
  return { Version: "2012-10-17", Statement: statements };
}
