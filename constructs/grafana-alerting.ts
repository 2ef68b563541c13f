// Grafana's notification side: one message template, a contact point per receiver, mute timings,
// and the organisation's single notification policy tree, given in Alertmanager's route shape.
// The provider's rules the schema cannot express are checked here: the policy replaces the whole
// tree of the org, nests at most five levels below the root, and contact point names are unique.
import { ContactPoint, ContactPointConfig } from "../.gen/providers/grafana/contact-point";
import { MessageTemplate } from "../.gen/providers/grafana/message-template";
import { MuteTiming } from "../.gen/providers/grafana/mute-timing";
import { NotificationPolicy, NotificationPolicyPolicy } from "../.gen/providers/grafana/notification-policy";
import { Construct } from "constructs";
import { GRAFANA_MAX_POLICY_DEPTH } from "../model/load";
import { parseMatcher } from "../model/matchers";
import { RouteSpec } from "../model/schema";
import { terraformLiteral } from "./terraform-literal";

const MESSAGE_TEMPLATE_NAME = "monitoring";
const TITLE = '{{ template "monitoring.title" . }}';
const MESSAGE = '{{ template "monitoring.message" . }}';

/** Grafana's notification data is Alertmanager's plus links into Grafana (dashboard, silence). */
const MESSAGE_TEMPLATE = `{{ define "monitoring.title" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }}{{ if .CommonLabels.service }} ({{ .CommonLabels.service }}){{ end }}{{ end }}
{{ define "monitoring.message" }}{{ range .Alerts }}[{{ .Status | toUpper }}] {{ .Labels.alertname }} ({{ .Labels.severity }}){{ if .Labels.service }} {{ .Labels.service }}{{ end }}
{{ .Annotations.summary }}
{{ if .Annotations.description }}{{ .Annotations.description }}
{{ end }}{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}
{{ end }}{{ if .DashboardURL }}Dashboard: {{ .DashboardURL }}
{{ end }}{{ if .SilenceURL }}Silence: {{ .SilenceURL }}
{{ end }}{{ end }}{{ end }}`;

/** One receiver's integration; sensitive values are references (variables), never literals. */
export interface GrafanaContactPointSpec {
  name: string;
  slack?: { url: string; channel?: string };
  pagerduty?: { integrationKey: string };
  dingding?: { url: string };
  email?: { addresses: string[] };
  webhook?: { url: string };
}

export interface GrafanaTimeInterval {
  times?: Array<{ start_time: string; end_time: string }>;
  weekdays?: string[];
  days_of_month?: string[];
  months?: string[];
  years?: string[];
  location?: string;
}

export interface GrafanaAlertingProps {
  contactPoints: GrafanaContactPointSpec[];
  /** Named time intervals, usable as mute and active timings. */
  timeIntervals: Record<string, GrafanaTimeInterval[]>;
  /** The root route: receivers name contact points, time intervals name mute timings. */
  policy: RouteSpec;
}

function integration(cp: GrafanaContactPointSpec): Omit<ContactPointConfig, "name"> {
  const given = (["slack", "pagerduty", "dingding", "email", "webhook"] as const).filter((k) => cp[k] !== undefined);
  if (given.length !== 1) throw new Error(`contact point ${cp.name} needs exactly one integration, got ${given.join(", ") || "none"}`);
  if (cp.slack) return { slack: [{ url: cp.slack.url, recipient: cp.slack.channel, title: TITLE, text: MESSAGE }] };
  if (cp.pagerduty)
    return {
      pagerduty: [
        {
          integrationKey: cp.pagerduty.integrationKey,
          summary: TITLE,
          // Our severities (critical, warning, info) are PagerDuty severities as they are.
          severity: "{{ .CommonLabels.severity }}",
          component: "{{ .CommonLabels.service }}",
          group: "{{ .CommonLabels.team }}",
          class: "{{ .CommonLabels.alertname }}",
        },
      ],
    };
  if (cp.dingding) return { dingding: [{ url: cp.dingding.url, messageType: "link", title: TITLE, message: MESSAGE }] };
  if (cp.email) return { email: [{ addresses: cp.email.addresses, singleEmail: true, subject: TITLE, message: MESSAGE }] };
  return { webhook: [{ url: cp.webhook!.url, title: TITLE, message: MESSAGE }] };
}

export class GrafanaAlerting extends Construct {
  readonly contactPoints: Record<string, ContactPoint> = {};
  readonly muteTimings: Record<string, MuteTiming> = {};
  readonly policy: NotificationPolicy;

  constructor(scope: Construct, id: string, props: GrafanaAlertingProps) {
    super(scope, id);
    const template = new MessageTemplate(this, "template", { name: MESSAGE_TEMPLATE_NAME, template: terraformLiteral(MESSAGE_TEMPLATE) });
    for (const cp of props.contactPoints) {
      if (this.contactPoints[cp.name]) throw new Error(`contact point names are unique per Grafana org: ${cp.name} is given twice`);
      // The integrations render with the template, which must exist first.
      this.contactPoints[cp.name] = new ContactPoint(this, `contact-point-${cp.name}`, { name: cp.name, ...integration(cp), dependsOn: [template] });
    }
    for (const name of Object.keys(props.timeIntervals).sort())
      this.muteTimings[name] = new MuteTiming(this, `mute-timing-${name}`, {
        name,
        intervals: props.timeIntervals[name].map((t) => ({
          times: t.times?.map((r) => ({ start: r.start_time, end: r.end_time })),
          weekdays: t.weekdays,
          daysOfMonth: t.days_of_month,
          months: t.months,
          years: t.years,
          location: t.location,
        })),
      });

    // References (not names as text) order the policy after what it names.
    const contactPoint = (receiver: string) => {
      const cp = this.contactPoints[receiver];
      if (!cp) throw new Error(`the policy tree routes to ${receiver}, which has no contact point`);
      return cp.name;
    };
    const timing = (interval: string) => {
      const t = this.muteTimings[interval];
      if (!t) throw new Error(`the policy tree uses time interval ${interval}, which is not defined`);
      return t.name;
    };
    const policy = (route: RouteSpec, depth: number): NotificationPolicyPolicy => {
      if (depth > GRAFANA_MAX_POLICY_DEPTH) throw new Error(`notification policies nest at most ${GRAFANA_MAX_POLICY_DEPTH} levels below the root`);
      return {
        contactPoint: route.receiver && contactPoint(route.receiver),
        matcher: route.matchers?.map((text) => {
          const m = parseMatcher(text);
          return { label: m.name, match: m.op, value: m.value };
        }),
        groupBy: route.group_by,
        groupWait: route.group_wait,
        groupInterval: route.group_interval,
        repeatInterval: route.repeat_interval,
        continue: route.continue,
        muteTimings: route.mute_time_intervals?.map(timing),
        activeTimings: route.active_time_intervals?.map(timing),
        policy: route.routes?.map((r) => policy(r, depth + 1)),
      };
    };
    const root = props.policy;
    if (!root.receiver) throw new Error("the root policy needs a contact point");
    this.policy = new NotificationPolicy(this, "policy", {
      contactPoint: contactPoint(root.receiver),
      groupBy: root.group_by ?? [],
      groupWait: root.group_wait,
      groupInterval: root.group_interval,
      repeatInterval: root.repeat_interval,
      policy: root.routes?.map((r) => policy(r, 1)),
    });
  }
}
