// Generic webhooks get Alertmanager's webhook payload (version 4), whatever the alert's source, so
// anything that accepts Alertmanager webhooks (dead man's switches, incident tools) works unchanged.
import { Notification, SecretLocation } from "../types";
import { SendContext } from "./context";

export function alertmanagerWebhookBody(n: Notification): Record<string, unknown> {
  return {
    version: "4",
    groupKey: n.groupKey,
    truncatedAlerts: 0,
    status: n.status,
    receiver: n.receiver,
    groupLabels: n.groupLabels,
    commonLabels: n.commonLabels,
    commonAnnotations: n.commonAnnotations,
    externalURL: n.externalURL,
    alerts: n.alerts,
  };
}

export async function sendWebhook(n: Notification, receiver: { url: SecretLocation }, ctx: SendContext): Promise<void> {
  await ctx.post(await ctx.secrets.get(receiver.url), alertmanagerWebhookBody(n));
}
