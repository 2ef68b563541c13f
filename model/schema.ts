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

/** A Kubernetes object name (DNS-1123 label): namespaces, Secrets, port names. */
export const KubernetesName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: "expected a Kubernetes name: lower-case letters, digits and '-' (e.g. sports-db-exporter)" })
  .max(63);
/** Kubernetes label keys and values (pod labels, node selectors). */
export const KubernetesLabels = z.record(
  z.string().regex(/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/, { error: "expected a Kubernetes label key such as app or app.kubernetes.io/name" }),
  z.string().regex(/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/, { error: "expected a Kubernetes label value (63 characters of letters, digits, '-', '_', '.')" }),
);
/** A key of a Kubernetes Secret in the monitoring namespace: connection strings with credentials stay in the cluster. */
export const KubernetesSecretKeyRef = z.strictObject(
  {
    name: KubernetesName,
    key: z.string().regex(/^[-._a-zA-Z0-9]+$/, { error: "expected a Secret key of letters, digits, '-', '_' and '.'" }),
  },
  { error: "expected a Kubernetes Secret reference {name, key} — never the connection string itself" },
);

/** The exporter deployed for a postgres, redis or host service (see scraping/exporters.ts). */
export const Exporter = z.strictObject({
  /** postgres: key holding the DSN (postgresql://user:pass@host:5432/db?sslmode=require); redis: the redis:// or rediss:// URL. */
  connection_secret: KubernetesSecretKeyRef.optional(),
  /** host: the nodes node-exporter runs on (default: every node). */
  node_selector: KubernetesLabels.optional(),
  /** host: node-exporter's port on the host network (default 9100). */
  port: z.number().int().min(1024).max(65535).optional(),
});

/** Where a service's own /metrics endpoint runs: pods discovered through the Kubernetes API. */
export const ScrapeTarget = z.strictObject({
  namespace: KubernetesName,
  pod_labels: KubernetesLabels.refine((l) => Object.keys(l).length > 0, { error: "expected at least one pod label" }),
  /** The container port declared in the pod spec, by name or number. */
  port: z.union([z.number().int().min(1).max(65535), z.string().regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/).max(15)], {
    error: "expected a container port number or name (15 characters of lower-case letters, digits and '-')",
  }),
  path: z.string().regex(/^\//, { error: "expected a path starting with '/'" }).default("/metrics"),
  scheme: z.enum(["http", "https"]).default("http"),
});

/** HTTP health endpoints probed by blackbox-exporter (http-api services). */
export const HealthCheck = z.strictObject({
  urls: z.array(z.url({ protocol: /^https?$/, error: "expected an http:// or https:// URL" })).min(1),
  /** Accepted status codes (default: any 2xx). */
  valid_status_codes: z.array(z.number().int().min(100).max(599)).optional(),
  /** The body must match this regular expression (e.g. '"status":\s*"ok"'). */
  body_regexp: z.string().min(1).optional(),
  timeout: Duration.default("5s"),
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
  /** postgres, redis, host: the exporter to deploy in the environment's cluster. */
  exporter: Exporter.optional(),
  /** The service's own metrics endpoint in the cluster (instead of an exporter). */
  scrape: ScrapeTarget.optional(),
  /** http-api: health endpoints probed by blackbox-exporter. */
  health: HealthCheck.optional(),
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
        /** Which side of the thresholds is bad: above (">", e.g. error ratio) or below ("<", e.g. conversion). */
        comparison: z.enum([">", "<"]).default(">"),
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

/** Where an environment's Grafana is and how its data sources sign requests to AWS. */
export const GrafanaSettings = z.strictObject({
  /** Grafana's base URL. Without it (and without a managed workspace) it is the `grafana_url` Terraform variable. */
  url: z.url().optional(),
  org_id: z.number().int().positive().optional(),
  /** An Amazon Managed Grafana workspace in the AWS stack; the Grafana stack then uses its URL. */
  managed_workspace: z
    .strictObject({
      authentication: z.array(z.enum(["AWS_SSO", "SAML"])).min(1).default(["AWS_SSO"]),
      grafana_version: z.string().regex(/^\d+\.\d+$/, { error: "expected a Grafana version such as 10.4" }).default("10.4"),
    })
    .optional(),
  /** SigV4 credentials of the AMP and CloudWatch data sources (default: the workspace role with a managed workspace, else the AWS SDK chain). */
  aws_auth: z.enum(["default", "ec2_iam_role", "keys"]).optional(),
});

/**
 * The notifier Lambda that delivers pagerduty, slack, dingtalk and webhook receivers. Its own alarms
 * (errors, throttles, dead letters) go to the fallback receiver, which must be an e-mail receiver:
 * SNS delivers e-mail itself, so a broken notifier cannot silence the news of its own failure.
 */
export const NotifierSettings = z.strictObject({
  fallback_receiver: z.string(),
  log_retention_days: z.number().int().positive().default(30),
});

/** What an environment may change: any part of the model, as a deep patch. */
const OverridePatch = z.strictObject({
  notifier: z.record(z.string(), z.unknown()).optional(),
  services: z.record(z.string(), z.unknown()).optional(),
  receivers: z.record(z.string(), z.unknown()).optional(),
  routing: z.record(z.string(), z.unknown()).optional(),
  alerts: z.record(z.string(), z.unknown()).optional(),
  alarms: z.record(z.string(), z.unknown()).optional(),
  dashboards: z.record(z.string(), z.unknown()).optional(),
});

const ARN_PARTITION = "arn:aws(?:-cn|-us-gov)?";
/**
 * How metrics reach the AMP workspace: the AWS-managed collector scrapes an EKS cluster, or a
 * Prometheus agent in the cluster remote-writes with SigV4 through an IAM role for its service
 * account (any cluster whose service-account issuer is an IAM OIDC provider).
 */
export const Scraping = z.strictObject({
  mode: z.enum(["managed-collector", "prometheus-agent"], { error: "expected managed-collector or prometheus-agent" }),
  interval: Duration.default("30s"),
  /** Where the exporters (and the agent) run, and how Terraform reaches the cluster. */
  kubernetes: z
    .strictObject({
      namespace: KubernetesName.default("monitoring"),
      config_path: z.string().min(1).default("~/.kube/config"),
      /** kubeconfig context; defaults to the EKS cluster ARN (the name `aws eks update-kubeconfig` gives it). */
      config_context: z.string().min(1).optional(),
    })
    .default({ namespace: "monitoring", config_path: "~/.kube/config" }),
  /** managed-collector: the EKS cluster and the subnets (two or more AZs) the collector's ENIs go into. */
  eks: z
    .strictObject({
      cluster_arn: z.string().regex(new RegExp(`^${ARN_PARTITION}:eks:[a-z0-9-]+:\\d{12}:cluster/[A-Za-z0-9][A-Za-z0-9_-]{0,99}$`), {
        error: "expected an EKS cluster ARN such as arn:aws:eks:us-east-1:123456789012:cluster/prod",
      }),
      subnet_ids: z.array(z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { error: "expected a subnet id such as subnet-0123456789abcdef0" })).min(2),
      /** Must let the collector reach the exporters' ports on pods and nodes. */
      security_group_ids: z.array(z.string().regex(/^sg-[0-9a-f]{8,17}$/, { error: "expected a security group id such as sg-0123456789abcdef0" })).default([]),
    })
    .optional(),
  /** prometheus-agent: the IAM OIDC provider of the cluster's service-account issuer (IRSA). */
  agent: z
    .strictObject({
      oidc_provider_arn: z.string().regex(new RegExp(`^${ARN_PARTITION}:iam::\\d{12}:oidc-provider/[^\\s/][^\\s]*$`), {
        error: "expected an IAM OIDC provider ARN such as arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
      }),
    })
    .optional(),
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
  grafana: GrafanaSettings.optional(),
  scraping: Scraping.optional(),
  overrides: OverridePatch.optional(),
});

export const Model = z.strictObject({
  project: ResourceName,
  description: z.string().optional(),
  environments: z.record(ResourceName, Environment).refine((e) => Object.keys(e).length > 0, { error: "expected at least one environment" }),
  receivers: z.record(ResourceName, Receiver),
  routing: Routing,
  notifier: NotifierSettings.optional(),
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
export type NotifierSettingsSpec = z.output<typeof NotifierSettings>;
export type SeverityName = (typeof SEVERITIES)[number];
export type ServiceKind = (typeof SERVICE_KINDS)[number];
export type ThresholdsSpec = z.output<typeof Thresholds>;
export type DashboardSpec = z.output<typeof Dashboard>;
export type GrafanaSettingsSpec = z.output<typeof GrafanaSettings>;
export type ScrapingSpec = z.output<typeof Scraping>;
export type KubernetesSecretKeyRefSpec = z.output<typeof KubernetesSecretKeyRef>;
