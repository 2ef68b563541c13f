// DingTalk custom robots: markdown messages, signed when the robot has a signing secret, @-mentions
// for critical alerts, at most 20 messages a minute per robot (notifications that queue up behind
// the limit are merged into one message).
import { createHash, createHmac } from "node:crypto";
import { alertName, linksOf, notificationTitle, severityOf, summaryOf } from "../format";
import { HttpResponse, Verdict, classifyStatus } from "../http";
import { Alert, Notification, SecretLocation } from "../types";
import { SendContext } from "./context";

export interface DingTalkReceiver {
  url: SecretLocation;
  signingSecret?: SecretLocation;
  atMobiles: string[];
  atAllOnCritical: boolean;
}

/** DingTalk rejects longer markdown; we stop adding alerts below it and say how many were left out. */
export const DINGTALK_MAX_TEXT_BYTES = 18_000;
/** DingTalk's "send too fast" (over 20 messages a minute): worth retrying after a pause. */
export const DINGTALK_TOO_FAST = 130101;

/** DingTalk's signature: HMAC-SHA256 keyed by the secret over `timestamp + "\n" + secret`, base64, URL-encoded. */
export function dingTalkSignature(secret: string, timestampMs: number): string {
  return createHmac("sha256", secret).update(`${timestampMs}\n${secret}`).digest("base64");
}

export function signedDingTalkUrl(webhookUrl: string, secret: string, timestampMs: number): string {
  const url = new URL(webhookUrl);
  url.searchParams.set("timestamp", String(timestampMs));
  url.searchParams.set("sign", dingTalkSignature(secret, timestampMs));
  return url.toString();
}

function alertMarkdown(alert: Alert): string {
  const icon = alert.status === "resolved" ? "✅" : "🔥";
  const service = alert.labels.service ? ` · ${alert.labels.service}` : "";
  const lines = [`#### ${icon} ${alertName(alert)}${service}`, `**${alert.status === "resolved" ? "RESOLVED" : severityOf(alert).toUpperCase()}** ${summaryOf(alert)}`];
  if (alert.annotations.description && alert.annotations.description !== summaryOf(alert)) lines.push(`> ${alert.annotations.description.replace(/\n/g, "\n> ")}`);
  lines.push(`Since ${alert.startsAt}`);
  const links = linksOf(alert).map((l) => `[${l.text}](${l.href})`);
  if (links.length) lines.push(links.join(" · "));
  return lines.join("\n\n");
}

/** The markdown of one or more notifications to the same robot, and the mentions it needs. */
function dingTalkMarkdown(batch: Notification[], receiver: Pick<DingTalkReceiver, "atMobiles" | "atAllOnCritical">, maxBytes = Number.POSITIVE_INFINITY) {
  const alerts = batch.flatMap((n) => n.alerts);
  const title = batch.length === 1 ? notificationTitle(batch[0]) : `[${batch.length} notifications] ${alerts.filter((a) => a.status === "firing").length} firing`;
  const critical = alerts.some((a) => a.status === "firing" && severityOf(a) === "critical");
  const mobiles = critical ? receiver.atMobiles : [];
  // Mentions only notify when the mobile number also appears in the text.
  const footer = mobiles.length ? `\n\n${mobiles.map((m) => `@${m}`).join(" ")}` : "";
  let text = `### ${title}`;
  let shown = 0;
  for (const alert of alerts) {
    const next = `${text}\n\n---\n\n${alertMarkdown(alert)}`;
    if (shown > 0 && Buffer.byteLength(next + footer) > maxBytes - 100) break;
    text = next;
    shown++;
  }
  if (shown < alerts.length) text += `\n\n…and ${alerts.length - shown} more alerts`;
  return { title, text: text + footer, mobiles, atAll: critical && receiver.atAllOnCritical };
}

/** Whether notifications merged into one message stay within DingTalk's size limit. */
export function fitsOneDingTalkMessage(batch: Notification[]): boolean {
  return batch.length === 1 || Buffer.byteLength(dingTalkMarkdown(batch, { atMobiles: [], atAllOnCritical: false }).text) <= DINGTALK_MAX_TEXT_BYTES - 200;
}

/** One markdown message; a single notification too large for one is cut short, saying how many alerts were left out. */
export function dingTalkMessage(batch: Notification[], receiver: Pick<DingTalkReceiver, "atMobiles" | "atAllOnCritical">): Record<string, unknown> {
  const m = dingTalkMarkdown(batch, receiver, DINGTALK_MAX_TEXT_BYTES);
  return { msgtype: "markdown", markdown: { title: m.title, text: m.text }, at: { atMobiles: m.mobiles, isAtAll: m.atAll } };
}

/** DingTalk answers 200 with an errcode: 0 is delivered, 130101 is "too fast", anything else is a rejection. */
export function classifyDingTalk(res: HttpResponse): Verdict {
  if (res.status !== 200) return classifyStatus(res);
  let reply: { errcode?: number; errmsg?: string };
  try {
    reply = JSON.parse(res.body);
  } catch {
    return { outcome: "fail", detail: "HTTP 200 without a JSON errcode" };
  }
  if (reply.errcode === 0) return { outcome: "ok" };
  const detail = `errcode ${reply.errcode}${reply.errmsg ? ` (${String(reply.errmsg).slice(0, 120)})` : ""}`;
  return reply.errcode === DINGTALK_TOO_FAST ? { outcome: "retry", detail } : { outcome: "fail", detail };
}

export async function sendDingTalk(n: Notification, receiver: DingTalkReceiver, ctx: SendContext): Promise<void> {
  const webhookUrl = await ctx.secrets.get(receiver.url);
  const secret = receiver.signingSecret ? await ctx.secrets.get(receiver.signingSecret) : undefined;
  // The limit is per robot: two receivers posting to the same robot share one lane.
  const robot = createHash("sha256").update(webhookUrl).digest("hex").slice(0, 16);
  await ctx.dingTalkLimiter.submit(robot, n, async (batch) => {
    // Signed at send time: DingTalk rejects timestamps more than an hour off.
    const url = secret ? signedDingTalkUrl(webhookUrl, secret, ctx.clock.now()) : webhookUrl;
    await ctx.post(url, dingTalkMessage(batch, receiver), classifyDingTalk);
  });
}
