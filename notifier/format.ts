// Wording shared by the senders: titles, severities and links read the same in every channel.
import { Alert, Notification } from "./types";

export const SEVERITY_RANK: Record<string, number> = { critical: 3, warning: 2, info: 1 };

export function severityOf(alert: Alert): string {
  return alert.labels.severity ?? "unknown";
}

/** The most severe severity among the alerts (critical > warning > info > anything else). */
export function highestSeverity(alerts: Alert[]): string {
  return alerts.map(severityOf).sort((a, b) => (SEVERITY_RANK[b] ?? 0) - (SEVERITY_RANK[a] ?? 0))[0] ?? "unknown";
}

export function alertName(alert: Alert): string {
  return alert.labels.alertname ?? "Alert";
}

export function summaryOf(alert: Alert): string {
  return alert.annotations.summary ?? alert.annotations.description ?? alertName(alert);
}

/** `[FIRING:2] HttpApiDown` — status, firing count and what the group is about. */
export function notificationTitle(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === "firing").length;
  const names = [...new Set(n.alerts.map(alertName))];
  const subject = n.groupLabels.alertname ?? (names.length === 1 ? names[0] : `${names.length} alerts`);
  const service = n.commonLabels.service ? ` (${n.commonLabels.service})` : "";
  return `[${n.status.toUpperCase()}${firing > 0 ? `:${firing}` : ""}] ${subject}${service}`;
}

export interface Link {
  text: string;
  href: string;
}

/** Runbook first, then a dashboard, then where the alert came from (CloudWatch console or the rule's query). */
export function linksOf(alert: Alert): Link[] {
  const links: Link[] = [];
  const add = (text: string, href: string | undefined) => {
    if (href && /^https?:\/\//.test(href) && !links.some((l) => l.href === href)) links.push({ text, href });
  };
  add("Runbook", alert.annotations.runbook_url);
  add("Dashboard", alert.annotations.dashboard_url);
  add(alert.labels.source === "cloudwatch" ? "CloudWatch alarm" : "Source", alert.generatorURL);
  return links;
}

/** Label pairs worth showing besides the name and severity, in a stable order. */
export function contextLabels(alert: Alert): Array<[string, string]> {
  return Object.entries(alert.labels)
    .filter(([k]) => k !== "alertname" && k !== "severity")
    .sort(([a], [b]) => a.localeCompare(b));
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}
