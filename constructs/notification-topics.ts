// One encrypted SNS topic per receiver, publishable by CloudWatch alarms and AMP of this account only.
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";

export interface TopicReceiver {
  name: string;
  type: string;
  /** E-mail receivers subscribe natively; the others are delivered by the notifier. */
  emailAddresses?: string[];
}

export interface NotificationTopicsProps {
  namePrefix: string;
  receivers: TopicReceiver[];
  account: string;
  region: string;
  partition: string;
}

export function topicName(namePrefix: string, receiver: string): string {
  return `${namePrefix}-${receiver}`;
}

/** Known before apply, so the AMP alert manager definition in a plan shows real ARNs. */
export function topicArn(p: { partition: string; region: string; account: string }, name: string): string {
  return `arn:${p.partition}:sns:${p.region}:${p.account}:${name}`;
}

export class NotificationTopics extends Construct {
  readonly topics: Record<string, SnsTopic> = {};
  /** Per receiver, what must exist before anyone may publish to its topic (the policy, which implies the topic). */
  readonly publishPermissions: Record<string, ITerraformDependable> = {};
  readonly key: KmsKey;

  constructor(scope: Construct, id: string, props: NotificationTopicsProps) {
    super(scope, id);
    const publishers = [
      { service: "cloudwatch.amazonaws.com", sourceArn: `arn:${props.partition}:cloudwatch:${props.region}:${props.account}:alarm:*` },
      { service: "aps.amazonaws.com", sourceArn: `arn:${props.partition}:aps:${props.region}:${props.account}:workspace/*` },
    ];
    const scoped = (sourceArn: string) => ({
      StringEquals: { "aws:SourceAccount": props.account },
      ArnLike: { "aws:SourceArn": sourceArn },
    });

    this.key = new KmsKey(this, "key", {
      description: `${props.namePrefix} alert notifications`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
      policy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          { Sid: "AccountAdmin", Effect: "Allow", Principal: { AWS: `arn:${props.partition}:iam::${props.account}:root` }, Action: "kms:*", Resource: "*" },
          ...publishers.map((p) => ({
            Sid: `Publish${p.service.split(".")[0].toUpperCase()}`,
            Effect: "Allow",
            Principal: { Service: p.service },
            Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
            Resource: "*",
            Condition: scoped(p.sourceArn),
          })),
        ],
      }),
    });
    new KmsAlias(this, "key-alias", { name: `alias/${props.namePrefix}-alerts`, targetKeyId: this.key.keyId });

    for (const receiver of [...props.receivers].sort((a, b) => a.name.localeCompare(b.name))) {
      const name = topicName(props.namePrefix, receiver.name);
      const topic = new SnsTopic(this, `topic-${receiver.name}`, {
        name,
        kmsMasterKeyId: this.key.arn,
        tags: { receiver: receiver.name, receiver_type: receiver.type },
      });
      this.topics[receiver.name] = topic;
      const policy = new SnsTopicPolicy(this, `policy-${receiver.name}`, {
        arn: topic.arn,
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "AccountOwner",
              Effect: "Allow",
              Principal: { AWS: `arn:${props.partition}:iam::${props.account}:root` },
              Action: ["sns:Publish", "sns:Subscribe", "sns:GetTopicAttributes", "sns:SetTopicAttributes"],
              Resource: topicArn(props, name),
            },
            ...publishers.map((p) => ({
              Sid: `Publish${p.service.split(".")[0].toUpperCase()}`,
              Effect: "Allow",
              Principal: { Service: p.service },
              Action: "sns:Publish",
              Resource: topicArn(props, name),
              Condition: scoped(p.sourceArn),
            })),
          ],
        }),
      });
      this.publishPermissions[receiver.name] = policy;
      for (const address of [...(receiver.emailAddresses ?? [])].sort())
        new SnsTopicSubscription(this, `email-${receiver.name}-${address}`, { topicArn: topic.arn, protocol: "email", endpoint: address });
    }
  }

  arn(receiver: string): string {
    const topic = this.topics[receiver];
    if (!topic) throw new Error(`no topic for receiver "${receiver}"`);
    return topic.arn;
  }
}
