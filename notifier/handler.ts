// The notifier's Lambda handler: SNS event → receiver (by topic) → notification → sender.
// Any delivery that still fails after retries makes the invocation fail, so Lambda's on-failure
// destination (the SQS dead-letter queue) receives the event; Lambda's own retries are off
// (constructs/notifier.ts), so a rejected request is never sent twice.
import type { SNSEvent } from "aws-lambda";
import { Clock, systemClock } from "./clock";
import { DEFAULT_RETRY, DeliveryError, PostContext, RetryPolicy, postJson } from "./http";
import { Logger, jsonLogger } from "./log";
import { parseSnsMessage } from "./messages";
import { BatchingRateLimiter, DINGTALK_RATE_LIMIT, RateLimit } from "./rate-limit";
import { SecretResolver } from "./secrets";
import { SendContext } from "./senders/context";
import { fitsOneDingTalkMessage, sendDingTalk } from "./senders/dingtalk";
import { PAGERDUTY_EVENTS_URL, sendPagerDuty } from "./senders/pagerduty";
import { sendSlack } from "./senders/slack";
import { sendWebhook } from "./senders/webhook";
import { Notification, NotifierConfig, ReceiverConfig } from "./types";

export interface NotifierDeps {
  config: NotifierConfig;
  secrets: SecretResolver;
  clock?: Clock;
  logger?: Logger;
  retry?: Partial<RetryPolicy>;
  random?: () => number;
  pagerDutyUrl?: string;
  dingTalkRate?: RateLimit;
}

export interface InvocationContext {
  getRemainingTimeInMillis(): number;
}

export type NotifierHandler = (event: SNSEvent, context?: InvocationContext) => Promise<void>;

/** Time kept back from the Lambda timeout so a give-up is reported before Lambda kills us. */
const DEADLINE_MARGIN_MS = 3_000;

export function createHandler(deps: NotifierDeps): NotifierHandler {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? jsonLogger();
  const retry = { ...DEFAULT_RETRY, ...deps.retry };
  const random = deps.random ?? Math.random;
  // Lives as long as the execution environment, so warm invocations share each robot's window.
  const dingTalkLimiter = new BatchingRateLimiter<Notification>(deps.dingTalkRate ?? DINGTALK_RATE_LIMIT, clock, fitsOneDingTalkMessage);

  return async (event, context) => {
    const deadline = context ? clock.now() + context.getRemainingTimeInMillis() - DEADLINE_MARGIN_MS : Number.POSITIVE_INFINITY;
    const failures: Error[] = [];
    for (const record of event.Records) {
      const topic = record.Sns.TopicArn.split(":").pop() ?? "";
      const receiver = deps.config.receivers[topic];
      if (!receiver) {
        logger.error("no receiver for topic", { topic });
        failures.push(new Error(`no receiver is configured for topic ${topic}`));
        continue;
      }
      const notification = parseSnsMessage(record.Sns, { receiver: receiver.name, alarmLabels: deps.config.alarmLabels });
      if (!notification) {
        logger.info("skipped", { receiver: receiver.name, reason: "state not notified", messageId: record.Sns.MessageId });
        continue;
      }
      logger.info("received", {
        receiver: receiver.name,
        type: receiver.type,
        source: notification.source,
        status: notification.status,
        alerts: notification.alerts.length,
        messageId: record.Sns.MessageId,
      });
      const post: PostContext = { clock, logger, retry, deadline, random };
      const ctx: SendContext = {
        namePrefix: deps.config.namePrefix,
        secrets: deps.secrets,
        clock,
        pagerDutyUrl: deps.pagerDutyUrl ?? PAGERDUTY_EVENTS_URL,
        dingTalkLimiter,
        post: (url, body, classify) => postJson(url, body, { receiver: receiver.name, type: receiver.type }, post, classify),
      };
      try {
        await send(receiver, notification, ctx);
      } catch (e) {
        // Secret look-ups fail here too; their messages name the secret, never its value.
        if (!(e instanceof DeliveryError)) logger.error("delivery failed", { receiver: receiver.name, type: receiver.type, error: (e as Error).message });
        failures.push(e as Error);
      }
    }
    if (failures.length > 0) throw new DeliveryError(failures.map((f) => f.message).join("; "), failures.every((f) => f instanceof DeliveryError && f.transient));
  };
}

function send(receiver: ReceiverConfig, n: Notification, ctx: SendContext): Promise<void> {
  switch (receiver.type) {
    case "pagerduty":
      return sendPagerDuty(n, receiver, ctx);
    case "slack":
      return sendSlack(n, receiver, ctx);
    case "dingtalk":
      return sendDingTalk(n, receiver, ctx);
    case "webhook":
      return sendWebhook(n, receiver, ctx);
  }
}
