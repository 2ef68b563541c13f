// PagerDuty Events API v2: one event per alert. A firing alert triggers, a resolved one resolves,
// both under the same dedup_key (deployment prefix + the alert's fingerprint), so PagerDuty closes
// exactly the incident the alert opened.
import { alertName, contextLabels, linksOf, summaryOf, truncate } from "../format";
import { DeliveryError } from "../http";
import { Alert, Notification, SecretLocation } from "../types";
import { SendContext } from "./context";

export const PAGERDUTY_EVENTS_URL = "https://events.pagerduty.com/v2/enqueue";

const PAGERDUTY_SEVERITY: Record<string, "critical" | "error" | "warning" | "info"> = { critical: "critical", warning: "warning", info: "info" };

export function dedupKey(namePrefix: string, alert: Alert): string {
  return `${namePrefix}/${alert.fingerprint}`;
}

export function pagerDutyEvent(alert: Alert, routingKey: string, namePrefix: string): Record<string, unknown> {
  const dedup_key = dedupKey(namePrefix, alert);
  if (alert.status === "resolved") return { routing_key: routingKey, event_action: "resolve", dedup_key };
  const severity = alert.labels.severity ?? "unknown";
  const service = alert.labels.service;
  return {
    routing_key: routingKey,
    event_action: "trigger",
    dedup_key,
    payload: {
      summary: truncate(`[${severity}] ${alertName(alert)}${service ? ` (${service})` : ""}: ${summaryOf(alert)}`, 1024),
      source: alert.labels.instance ?? service ?? namePrefix,
      // An unknown severity pages as an error rather than being played down.
      severity: PAGERDUTY_SEVERITY[severity] ?? "error",
      timestamp: alert.startsAt,
      component: service,
      group: alert.labels.team,
      class: alertName(alert),
      custom_details: {
        ...alert.annotations,
        labels: Object.fromEntries(contextLabels(alert)),
        deployment: namePrefix,
      },
    },
    links: linksOf(alert),
    client: `monitoring-stack ${namePrefix}`,
    ...(alert.generatorURL ? { client_url: alert.generatorURL } : {}),
  };
}

export async function sendPagerDuty(n: Notification, receiver: { routingKey: SecretLocation }, ctx: SendContext): Promise<void> {
  const routingKey = await ctx.secrets.get(receiver.routingKey);
  const failures: DeliveryError[] = [];
  // One alert's rejection must not keep the others from PagerDuty.
  for (const alert of n.alerts) {
    try {
      await ctx.post(ctx.pagerDutyUrl, pagerDutyEvent(alert, routingKey, ctx.namePrefix));
    } catch (e) {
      if (!(e instanceof DeliveryError)) throw e;
      failures.push(e);
    }
  }
  if (failures.length > 0)
    throw new DeliveryError(
      `${failures.length} of ${n.alerts.length} PagerDuty event(s) failed: ${failures[0].message}`,
      failures.every((f) => f.transient),
      failures[0].status,
    );
}
