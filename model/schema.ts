// The monitoring model: one zod schema is both the validator and the source of the
// TypeScript types, so the YAML contract and the typed API can never drift apart.
import { z } from "zod";

export const SEVERITIES = ["critical", "warning", "info"] as const;
export const SERVICE_KINDS = ["http-api", "worker", "postgres", "redis", "host", "ai-model", "custom"] as const;

const DURATION_RE = /^(?:\d+y)?(?:\d+w)?(?:\d+d)?(?:\d+h)?(?:\d+m)?(?:\d+s)?(?:\d+ms)?$/;
export const Duration = z
  .string()
  .regex(DURATION_RE, { error: "expected a Prometheus duration such as 30s, 5m, 1h30m or 7d" })
  .refine((s) => s.length > 0 && s !== "0", { error: "expected a non-empty duration such as 5m" });

export const ResourceName = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,62}$/, { error: "expected a lower-case name of letters, digits and '-' (e.g. sports-api)" });
export const AlertName = z
  .string()
  .regex(/^[A-Z][A-Za-z0-9]*$/, { error: "expected a CamelCase alert name (e.g. ApiHighLatency)" });
export const LabelName = z
  .string()
  .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, { error: "expected a Prometheus label name ([a-zA-Z_][a-zA-Z0-9_]*)" })
  .refine((s) => !s.startsWith("__"), { error: "expected a label name not starting with '__' (reserved)" });
export const Labels = z.record(LabelName, z.string());
export const Severity = z.enum(SEVERITIES);
export const Thresholds = z.strictObject({
  critical: z.number().nullable().optional(),
  warning: z.number().nullable().optional(),
  info: z.number().nullable().optional(),
});

/** A secret is always a reference; the value is resolved by AWS or Terraform at apply/run time. */
export const SecretRef = z.union(
  [
    z.strictObject({ secrets_manager: z.string().min(1), json_key: z.string().optional() }),
    z.strictObject({ ssm: z.string().regex(/^\//, { error: "expected an SSM parameter name starting with '/'" }) }),
    z.strictObject({ variable: z.string().regex(/^[a-z][a-z0-9_]*$/, { error: "expected a Terraform variable name" }) }),
  ],
  { error: "expected a secret reference: {secrets_manager: NAME}, {ssm: /PARAM} or {variable: NAME} — never a literal value" },
);

const receiverCommon = { description: z.string().optional() };
export const Receiver = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("pagerduty"), routing_key: SecretRef, ...receiverCommon }),
    z.strictObject({ type: z.literal("slack"), webhook_url: SecretRef, channel: z.string().optional(), ...receiverCommon }),
    z.strictObject({
      type: z.literal("dingtalk"),
      webhook_url: SecretRef,
      signing_secret: SecretRef.optional(),
      at_mobiles: z.array(z.string().regex(/^\+?[0-9-]{5,20}$/, { error: "expected a phone number" })).optional(),
      at_all_on_critical: z.boolean().optional(),
      ...receiverCommon,
    }),
    z.strictObject({
      type: z.literal("email"),
      to: z.array(z.email({ error: "expected an e-mail address" })).min(1),
      ...receiverCommon,
    }),
    z.strictObject({ type: z.literal("webhook"), url: SecretRef, ...receiverCommon }),
  ],
  { error: "expected a receiver type: pagerduty, slack, dingtalk, email or webhook" },
);

const TIME_RE = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
export const TimeInterval = z.strictObject({
  times: z.array(z.strictObject({ start_time: z.string().regex(TIME_RE), end_time: z.string().regex(TIME_RE) })).optional(),
  weekdays: z
    .array(z.string().regex(/^(monday|tuesday|wednesday|thursday|friday|saturday|sunday)(:(monday|tuesday|wednesday|thursday|friday|saturday|sunday))?$/, { error: "expected a weekday or range such as monday:friday" }))
    .optional(),
  days_of_month: z.array(z.string().regex(/^-?\d{1,2}(:-?\d{1,2})?$/)).optional(),
  months: z.array(z.string().regex(/^([a-z]+|\d{1,2})(:([a-z]+|\d{1,2}))?$/)).optional(),
  years: z.array(z.string().regex(/^\d{4}(:\d{4})?$/)).optional(),
  location: z.string().optional(),
});

export interface RouteInput {
  receiver?: string;
  matchers?: string[];
  group_by?: string[];
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  continue?: boolean;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  routes?: RouteInput[];
}
const routeFields = {
  receiver: z.string().optional(),
  group_by: z.array(z.union([LabelName, z.literal("...")])).optional(),
  group_wait: Duration.optional(),
  group_interval: Duration.optional(),
  repeat_interval: Duration.optional(),
};
export const Route: z.ZodType<RouteInput> = z.lazy(() =>
  z.strictObject({
    ...routeFields,
    matchers: z.array(z.string()).optional(),
    continue: z.boolean().optional(),
    mute_time_intervals: z.array(z.string()).optional(),
    active_time_intervals: z.array(z.string()).optional(),
    routes: z.array(Route).optional(),
  }),
);

export const Routing = z.strictObject({
  ...routeFields,
  receiver: z.string(),
  routes: z.array(Route).default([]),
  inhibit_rules: z
    .array(
      z.strictObject({
        source_matchers: z.array(z.string()).min(1),
        target_matchers: z.array(z.string()).min(1),
        equal: z.array(LabelName).optional(),
      }),
    )
    .default([]),
  time_intervals: z.record(ResourceName, z.array(TimeInterval).min(1)).default({}),
  /** Where the always-firing Watchdog goes; nothing else is routed there. */
  heartbeat: z.strictObject({ receiver: z.string(), repeat_interval: Duration.default("5m") }),
});

/** Override of one built-in rule or alarm, by its stable ID. */
export const RuleOverride = z.strictObject({
  disabled: z.boolean().optional(),
  thresholds: Thresholds.optional(),
  severity: Severity.optional(),
  for: Duration.optional(),
  labels: Labels.optional(),
  runbook_url: z.url().optional(),
});

const dimensions = z.record(z.string(), z.string());
export const CloudWatchResources = z.strictObject({
  alb: z.strictObject({ load_balancer: z.string(), target_group: z.string().optional() }).optional(),
  rds: z.strictObject({ db_instance_identifier: z.string(), max_connections: z.number().int().positive().optional() }).optional(),
  elasticache: z.strictObject({ cache_cluster_id: z.string(), node_memory_bytes: z.number().positive().optional() }).optional(),
  lambda: z.strictObject({ function_name: z.string() }).optional(),
  ec2: z.strictObject({ instance_ids: z.array(z.string()).min(1) }).optional(),
  sqs: z.strictObject({ queue_name: z.string() }).optional(),
  sagemaker: z.strictObject({ endpoint_name: z.string(), variant_name: z.string().default("AllTraffic") }).optional(),
});

export const Service = z.strictObject({
  kind: z.enum(SERVICE_KINDS, { error: `expected one of ${SERVICE_KINDS.join(", ")}` }),
  team: ResourceName,
  owner: z.string().optional(),
  description: z.string().optional(),
  /** Label matchers selecting this service's series, e.g. {job: sports-api}. */
  selector: z.record(LabelName, z.string()).refine((s) => Object.keys(s).length > 0, { error: "expected at least one label" }),
  /** Metric-name and label-name overrides for the blueprint (e.g. requests_total: api_requests_total). */
  metrics: z.record(z.string(), z.string()).default({}),
  runbook_base_url: z.url().optional(),
  labels: Labels.default({}),
  /** Overrides of built-in rules/alarms by stable ID. */
  rules: z.record(AlertName, RuleOverride).default({}),
  cloudwatch: CloudWatchResources.optional(),
});

export const AlertRule = z.strictObject({
  service: ResourceName.optional(),
  team: ResourceName.optional(),
  expr: z.string().min(1),
  for: Duration.optional(),
  severity: Severity,
  labels: Labels.default({}),
  summary: z.string().min(1),
  description: z.string().min(1),
  runbook_url: z.url().optional(),
});

const MetricStat = z.strictObject({
  namespace: z.string().min(1),
  name: z.string().min(1),
  dimensions: dimensions.default({}),
  statistic: z.enum(["Average", "Sum", "Minimum", "Maximum", "SampleCount"]).optional(),
  extended_statistic: z.string().regex(/^(p|tm|tc|ts|wm)\d{1,2}(\.\d+)?$/, { error: "expected a percentile statistic such as p99" }).optional(),
  period: z.number().int().positive().default(60),
  unit: z.string().optional(),
});
export const COMPARISONS = [
  "GreaterThanThreshold",
  "GreaterThanOrEqualToThreshold",
  "LessThanThreshold",
  "LessThanOrEqualToThreshold",
  "LessThanLowerOrGreaterThanUpperThreshold",
  "LessThanLowerThreshold",
  "GreaterThanUpperThreshold",
] as const;
export const Alarm = z.strictObject({
  service: ResourceName.optional(),
  team: ResourceName.optional(),
  description: z.string().optional(),
  severity: Severity,
  /** A single metric… */
  metric: MetricStat.optional(),
  /** …or metric math: queries by id, exactly one returning data. */
  metrics: z
    .array(
      z.strictObject({
        id: z.string().regex(/^[a-z][a-zA-Z0-9_]*$/, { error: "expected a metric id starting with a lower-case letter" }),
        expression: z.string().optional(),
        metric: MetricStat.optional(),
        label: z.string().optional(),
        return_data: z.boolean().optional(),
      }),
    )
    .optional(),
  /** …or an anomaly band around the metric (width in standard deviations). */
  anomaly_band: z.number().positive().optional(),
  /** …or a composite over other alarms: ALARM("a") OR ALARM("b") with model alarm names. */
  composite: z.strictObject({ rule: z.string().min(1) }).optional(),
  comparison: z.enum(COMPARISONS).default("GreaterThanThreshold"),
  threshold: z.number().optional(),
  evaluation_periods: z.number().int().positive().default(1),
  datapoints_to_alarm: z.number().int().positive().optional(),
  treat_missing_data: z.enum(["missing", "ignore", "breaching", "notBreaching"]).default("missing"),
  labels: Labels.default({}),
});

export const Dashboard = z.strictObject({
  title: z.string().min(1),
  team: ResourceName.optional(),
  tags: z.array(z.string()).default([]),
  panels: z
    .array(
      z.strictObject({
        title: z.string().min(1),
        type: z.enum(["timeseries", "stat", "gauge", "table", "bargauge"]).default("timeseries"),
        unit: z.string().optional(),
        queries: z.array(z.strictObject({ expr: z.string().min(1), legend: z.string().optional() })).min(1),
        thresholds: Thresholds.optional(),
        width: z.number().int().min(1).max(24).default(12),
        height: z.number().int().min(1).max(40).default(8),
      }),
    )
    .default([]),
});

export const Backend = z.strictObject({
  s3: z.strictObject({
    bucket: z.string().min(3),
    key: z.string().optional(),
    region: z.string().optional(),
    dynamodb_table: z.string().optional(),
  }),
});

/** What an environment may change: any part of the model, as a deep patch. */
const OverridePatch = z.strictObject({
  services: z.record(z.string(), z.unknown()).optional(),
  receivers: z.record(z.string(), z.unknown()).optional(),
  routing: z.record(z.string(), z.unknown()).optional(),
  alerts: z.record(z.string(), z.unknown()).optional(),
  alarms: z.record(z.string(), z.unknown()).optional(),
  dashboards: z.record(z.string(), z.unknown()).optional(),
});

export const Environment = z.strictObject({
  region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, { error: "expected an AWS region such as us-east-1" }),
  account: z
    .string({ error: "expected a 12-digit AWS account id as a quoted string" })
    .regex(/^\d{12}$/, { error: "expected a 12-digit AWS account id (quoted in YAML)" }),
  tags: z.record(z.string(), z.string()).default({}),
  backend: Backend.optional(),
  amp: z
    .strictObject({
      alias: z.string().optional(),
      prevent_destroy: z.boolean().default(true),
      log_retention_days: z.number().int().positive().default(30),
      namespace_max_bytes: z.number().int().positive().optional(),
    })
    .default({ prevent_destroy: true, log_retention_days: 30 }),
  overrides: OverridePatch.optional(),
});

export const Model = z.strictObject({
  project: ResourceName,
  description: z.string().optional(),
  environments: z.record(ResourceName, Environment).refine((e) => Object.keys(e).length > 0, { error: "expected at least one environment" }),
  receivers: z.record(ResourceName, Receiver),
  routing: Routing,
  services: z.record(ResourceName, Service).default({}),
  alerts: z.record(AlertName, AlertRule).default({}),
  alarms: z.record(ResourceName, Alarm).default({}),
  dashboards: z.record(ResourceName, Dashboard).default({}),
});

export type ModelInput = z.input<typeof Model>;
export type MonitoringModel = z.output<typeof Model>;
export type ServiceSpec = z.output<typeof Service>;
export type ReceiverSpec = z.output<typeof Receiver>;
export type RoutingSpec = z.output<typeof Routing>;
export type RouteSpec = RouteInput;
export type AlertRuleSpec = z.output<typeof AlertRule>;
export type AlarmSpec = z.output<typeof Alarm>;
export type MetricStatSpec = z.output<typeof MetricStat>;
export type EnvironmentSpec = z.output<typeof Environment>;
export type RuleOverrideSpec = z.output<typeof RuleOverride>;
export type SecretRefSpec = z.output<typeof SecretRef>;
export type SeverityName = (typeof SEVERITIES)[number];
export type ServiceKind = (typeof SERVICE_KINDS)[number];
export type ThresholdsSpec = z.output<typeof Thresholds>;
export type DashboardSpec = z.output<typeof Dashboard>;
