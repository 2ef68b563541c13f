// One routing model, three renderings: Alertmanager config (plain and AMP) and receiver
// selection for CloudWatch alarms, which go through the same tree as Prometheus alerts.
import * as yaml from "js-yaml";
import { formatDuration, parseDuration } from "../model/durations";
import { formatMatcher, matches, parseMatcher } from "../model/matchers";
import { MonitoringModel, RouteSpec, RoutingSpec } from "../model/schema";
import { WATCHDOG } from "./rules";

/** AMP treats anything longer as five days; we cap explicitly so the plan shows what runs. */
export const AMP_MAX_REPEAT_INTERVAL_MS = 5 * 24 * 3600_000;
export const SNS_MESSAGE_TEMPLATE = "monitoring.sns.message";
export const SNS_SUBJECT_TEMPLATE = "monitoring.sns.subject";
/** For receivers the notifier delivers: the group as Alertmanager-webhook-shaped JSON (e-mail keeps the text body). */
export const SNS_JSON_TEMPLATE = "monitoring.sns.json";

export interface AlertmanagerRenderOptions {
  region: string;
  topicArn(receiver: string): string;
  /** Template file names to reference (AMP: the template_files key; plain: a path). */
  templates: string[];
  capRepeatInterval?: boolean;
}

/** Receivers an alert with these labels is delivered to, in Alertmanager's order (continue honoured). */
export function receiversFor(routing: RoutingSpec, labels: Record<string, string>): string[] {
  const out: string[] = [];
  const visit = (route: RouteSpec, inherited: string): void => {
    const receiver = route.receiver ?? inherited;
    let matchedChild = false;
    for (const child of route.routes ?? []) {
      if (!(child.matchers ?? []).every((m) => matches(parseMatcher(m), labels))) continue;
      visit(child, receiver);
      matchedChild = true;
      if (!child.continue) break;
    }
    if (!matchedChild) out.push(receiver);
  };
  visit(effectiveRoot(routing), routing.receiver);
  return [...new Set(out)];
}

/** The model's tree with the Watchdog route first: heartbeat only, never anyone's pager. */
export function effectiveRoot(routing: RoutingSpec): RouteSpec {
  return {
    receiver: routing.receiver,
    group_by: routing.group_by,
    group_wait: routing.group_wait,
    group_interval: routing.group_interval,
    repeat_interval: routing.repeat_interval,
    routes: [
      {
        receiver: routing.heartbeat.receiver,
        matchers: [`alertname="${WATCHDOG}"`],
        group_wait: "0s",
        group_interval: "1m",
        repeat_interval: routing.heartbeat.repeat_interval,
        continue: false,
      },
      ...routing.routes,
    ],
  };
}

export function buildAlertmanagerConfig(model: MonitoringModel, opts: AlertmanagerRenderOptions): Record<string, unknown> {
  const routing = model.routing;
  const repeat = (d?: string) => {
    if (!d) return undefined;
    return opts.capRepeatInterval && parseDuration(d) > AMP_MAX_REPEAT_INTERVAL_MS ? formatDuration(AMP_MAX_REPEAT_INTERVAL_MS) : d;
  };
  const renderRoute = (r: RouteSpec): Record<string, unknown> =>
    compact({
      receiver: r.receiver,
      matchers: r.matchers?.map((m) => formatMatcherText(m)),
      group_by: r.group_by,
      group_wait: r.group_wait,
      group_interval: r.group_interval,
      repeat_interval: repeat(r.repeat_interval),
      continue: r.continue || undefined,
      mute_time_intervals: r.mute_time_intervals,
      active_time_intervals: r.active_time_intervals,
      routes: r.routes?.length ? r.routes.map(renderRoute) : undefined,
    });
  const intervals = Object.keys(routing.time_intervals).sort();
  return compact({
    templates: opts.templates,
    route: renderRoute(effectiveRoot(routing)),
    inhibit_rules: routing.inhibit_rules.length
      ? routing.inhibit_rules.map((r) => compact({ source_matchers: r.source_matchers.map(formatMatcherText), target_matchers: r.target_matchers.map(formatMatcherText), equal: r.equal }))
      : undefined,
    time_intervals: intervals.length ? intervals.map((name) => ({ name, time_intervals: routing.time_intervals[name].map((t) => compact({ ...t })) })) : undefined,
    receivers: Object.keys(model.receivers)
      .sort()
      .map((name) => ({
        name,
        sns_configs: [
          {
            topic_arn: opts.topicArn(name),
            sigv4: { region: opts.region },
            subject: `{{ template "${SNS_SUBJECT_TEMPLATE}" . }}`,
            message: `{{ template "${model.receivers[name].type === "email" ? SNS_MESSAGE_TEMPLATE : SNS_JSON_TEMPLATE}" . }}`,
            attributes: { receiver: name, receiver_type: model.receivers[name].type },
          },
        ],
      })),
  });
}

// AMP's Alertmanager has no toJson (upstream added it only in late 2025) and does not expose the
// group key to templates, so the JSON is spelled out. Strings go through Go's `js` escaper: `"` and
// `\` come out as in JSON, control characters, U+2028/9 and <>&= as \uXXXX, but `'` as \' (invalid
// JSON), which reReplaceAll turns back into a plain '. The "groupKey" is the receiver plus the
// group labels. test/notifier/messages.test.ts renders it with amtool.
const SNS_JSON_TEMPLATES = [
  String.raw`{{ define "monitoring.json.escape" }}{{ . | js | reReplaceAll "\\\\'" "'" }}{{ end }}`,
  String.raw`{{ define "monitoring.json.string" }}"{{ template "monitoring.json.escape" . }}"{{ end }}`,
  String.raw`{{ define "monitoring.json.time" }}"{{ .UTC.Format "2006-01-02T15:04:05.000Z07:00" }}"{{ end }}`,
  String.raw`{{ define "monitoring.json.map" }}{{ "{" }}{{ range $i, $p := .SortedPairs }}{{ if $i }},{{ end }}{{ template "monitoring.json.string" $p.Name }}:{{ template "monitoring.json.string" $p.Value }}{{ end }}{{ "}" }}{{ end }}`,
  String.raw`{{ define "monitoring.json.alert" }}{{ "{" }}"status":{{ template "monitoring.json.string" .Status }},"labels":{{ template "monitoring.json.map" .Labels }},"annotations":{{ template "monitoring.json.map" .Annotations }},"startsAt":{{ template "monitoring.json.time" .StartsAt }},"endsAt":{{ template "monitoring.json.time" .EndsAt }},"generatorURL":{{ template "monitoring.json.string" .GeneratorURL }},"fingerprint":{{ template "monitoring.json.string" .Fingerprint }}{{ "}" }}{{ end }}`,
  String.raw`{{ define "${SNS_JSON_TEMPLATE}" }}{{ "{" }}"version":"4","receiver":{{ template "monitoring.json.string" .Receiver }},"status":{{ template "monitoring.json.string" .Status }},"groupKey":"{{ template "monitoring.json.escape" .Receiver }}:{{ range $i, $p := .GroupLabels.SortedPairs }}{{ if $i }},{{ end }}{{ template "monitoring.json.escape" $p.Name }}={{ template "monitoring.json.escape" $p.Value }}{{ end }}","groupLabels":{{ template "monitoring.json.map" .GroupLabels }},"commonLabels":{{ template "monitoring.json.map" .CommonLabels }},"commonAnnotations":{{ template "monitoring.json.map" .CommonAnnotations }},"externalURL":{{ template "monitoring.json.string" .ExternalURL }},"alerts":[{{ range $i, $a := .Alerts }}{{ if $i }},{{ end }}{{ template "monitoring.json.alert" $a }}{{ end }}]{{ "}" }}{{ end }}`,
];

/** Templates for SNS subject and body: short subject (SNS caps it at 100 chars), readable body. */
export const SNS_TEMPLATES = [
  `{{ define "${SNS_SUBJECT_TEMPLATE}" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.SortedPairs.Values | join " " }}{{ end }}`,
  `{{ define "${SNS_MESSAGE_TEMPLATE}" }}{{ range .Alerts }}[{{ .Status | toUpper }}] {{ .Labels.alertname }} ({{ .Labels.severity }}) {{ .Labels.service }}
{{ .Annotations.summary }}
{{ .Annotations.description }}
{{ if .Annotations.runbook_url }}Runbook: {{ .Annotations.runbook_url }}
{{ end }}Started: {{ .StartsAt }}
{{ end }}{{ end }}`,
  ...SNS_JSON_TEMPLATES,
].join("\n");

/** AMP's alert manager definition: template_files and alertmanager_config as one YAML document. */
export function ampAlertManagerDefinition(model: MonitoringModel, opts: Omit<AlertmanagerRenderOptions, "templates" | "capRepeatInterval">): string {
  const config = buildAlertmanagerConfig(model, { ...opts, templates: ["monitoring_templates"], capRepeatInterval: true });
  return dumpYaml({ template_files: { monitoring_templates: SNS_TEMPLATES }, alertmanager_config: dumpYaml(config) });
}

export function dumpYaml(value: unknown): string {
  return yaml.dump(value, { lineWidth: -1, noRefs: true, quotingType: '"' });
}

const formatMatcherText = (m: string) => formatMatcher(parseMatcher(m));

function compact<T extends Record<string, unknown>>(o: T): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}
