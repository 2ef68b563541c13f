// Slack incoming webhooks: one message per notification, grouped alerts together. Block Kit blocks
// inside attachments, because only attachments carry the colour bar: firing alerts coloured by
// their highest severity, resolved ones green.
import { alertName, contextLabels, highestSeverity, linksOf, notificationTitle, severityOf, summaryOf, truncate } from "../format";
import { Alert, Notification, SecretLocation } from "../types";
import { SendContext } from "./context";

export const SLACK_COLOURS: Record<string, string> = {
  critical: "#D7263D",
  warning: "#F4A261",
  info: "#3A86FF",
  unknown: "#8D99AE",
  resolved: "#2EB67D",
};

/** Blocks per message are capped by Slack (50); two per alert plus headers leaves room for 20. */
export const SLACK_MAX_ALERTS = 20;
const SECTION_MAX = 3000;
const HEADER_MAX = 150;

/** Slack mrkdwn: &, < and > must be escaped, or they start entities and links. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function link(href: string, text: string): string {
  return `<${href.replace(/\|/g, "%7C").replace(/>/g, "%3E")}|${escapeMrkdwn(text)}>`;
}

function alertBlocks(alert: Alert): unknown[] {
  const heading = `*${escapeMrkdwn(alertName(alert))}* · ${escapeMrkdwn(alert.status === "resolved" ? "resolved" : severityOf(alert))}`;
  const description = alert.annotations.description && alert.annotations.description !== summaryOf(alert) ? `\n${escapeMrkdwn(alert.annotations.description)}` : "";
  const context = [
    ...contextLabels(alert).map(([k, v]) => `${escapeMrkdwn(k)}: ${escapeMrkdwn(v)}`),
    `since ${escapeMrkdwn(alert.startsAt)}`,
    ...linksOf(alert).map((l) => link(l.href, l.text)),
  ].join(" · ");
  return [
    { type: "section", text: { type: "mrkdwn", text: truncate(`${heading}\n${escapeMrkdwn(summaryOf(alert))}${description}`, SECTION_MAX) } },
    { type: "context", elements: [{ type: "mrkdwn", text: truncate(context, SECTION_MAX) }] },
  ];
}

export function slackMessage(n: Notification, channel?: string): Record<string, unknown> {
  const firing = n.alerts.filter((a) => a.status === "firing");
  const resolved = n.alerts.filter((a) => a.status === "resolved");
  const title = `${n.status === "firing" ? "🔥" : "✅"} ${notificationTitle(n)}`;
  let budget = SLACK_MAX_ALERTS;
  const attachment = (alerts: Alert[], colour: string, header: string) => {
    const shown = alerts.slice(0, Math.max(0, budget));
    budget -= shown.length;
    const hidden = alerts.length - shown.length;
    return {
      color: colour,
      fallback: header,
      blocks: [
        { type: "header", text: { type: "plain_text", text: truncate(header, HEADER_MAX), emoji: true } },
        ...shown.flatMap(alertBlocks),
        ...(hidden > 0 ? [{ type: "context", elements: [{ type: "mrkdwn", text: `…and ${hidden} more ${hidden === 1 ? "alert" : "alerts"}` }] }] : []),
      ],
    };
  };
  const attachments = [
    ...(firing.length ? [attachment(firing, SLACK_COLOURS[highestSeverity(firing)] ?? SLACK_COLOURS.unknown, title)] : []),
    ...(resolved.length ? [attachment(resolved, SLACK_COLOURS.resolved, firing.length ? `✅ Resolved: ${resolved.length}` : title)] : []),
  ];
  return { ...(channel ? { channel } : {}), text: title, attachments };
}

export async function sendSlack(n: Notification, receiver: { url: SecretLocation; channel?: string }, ctx: SendContext): Promise<void> {
  await ctx.post(await ctx.secrets.get(receiver.url), slackMessage(n, receiver.channel));
}
