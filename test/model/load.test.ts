// Loading and validating models: the examples load; bad models fail with every problem named
// by file, model path, line and what was expected.
import { writeFileSync } from "node:fs";
import * as path from "node:path";
import { blueprintCatalog } from "../../alerts/blueprints";
import { ModelError, ModelIssue, formatPath } from "../../model/errors";
import { loadModelFile, resolveModel } from "../../model/load";
import { EXAMPLES, loadExample, tempDir } from "../support";

// A small valid model; each bad case below edits one or more of its lines.
const BASE = `project: shop
environments:
  prod:
    region: eu-west-1
    account: "123456789012"
receivers:
  oncall:
    type: pagerduty
    routing_key: { secrets_manager: shop/pagerduty }
  team:
    type: slack
    webhook_url: { ssm: /shop/slack }
  beat:
    type: webhook
    url: { variable: heartbeat_url }
  mail:
    type: email
    to: [ops@shop.example.com]
notifier: { fallback_receiver: mail }
routing:
  receiver: team
  group_by: [alertname]
  heartbeat: { receiver: beat }
  routes:
    - matchers: ['severity="critical"']
      receiver: oncall
      continue: true
      mute_time_intervals: [nightly]
  time_intervals:
    nightly:
      - times: [{ start_time: "01:00", end_time: "02:00" }]
        location: Europe/Berlin
services:
  api:
    kind: http-api
    team: web
    selector: { job: api }
    rules:
      HttpApiHighLatencyP95: { thresholds: { warning: 0.5 } }
alerts:
  OrdersStalled:
    expr: sum(rate(orders_total[10m])) == 0
    for: 10m
    severity: warning
    summary: No orders
    description: No order was placed for 10 minutes.
alarms:
  api-errors:
    metric: { namespace: AWS/ApplicationELB, name: HTTPCode_Target_5XX_Count, statistic: Sum, period: 60, dimensions: { LoadBalancer: app/shop/1 } }
    comparison: GreaterThanThreshold
    threshold: 10
    evaluation_periods: 3
    severity: critical
`;

let dir: string;
beforeAll(() => {
  dir = tempDir("model");
});

function writeModel(name: string, text: string): string {
  const file = path.join(dir, `${name}.yaml`);
  writeFileSync(file, text);
  return file;
}

function edit(text: string, ...edits: Array<[string, string]>): string {
  return edits.reduce((t, [from, to]) => {
    if (!t.includes(from)) throw new Error(`test bug: ${JSON.stringify(from)} is not in the model`);
    return t.replace(from, to);
  }, text);
}

function issuesOf(file: string): ModelIssue[] {
  try {
    loadModelFile(file, blueprintCatalog);
  } catch (e) {
    if (e instanceof ModelError) return e.issues;
    throw e;
  }
  throw new Error("expected the model to be rejected");
}

/** 1-based line of the first line containing `needle` in `text`. */
function lineOf(text: string, needle: string): number {
  const i = text.split("\n").findIndex((l) => l.includes(needle));
  if (i < 0) throw new Error(`test bug: ${needle} not found`);
  return i + 1;
}

describe("valid models", () => {
  test("the base model of these tests is valid", () => {
    const loaded = loadModelFile(writeModel("base", BASE), blueprintCatalog);
    expect(loaded.project).toBe("shop");
    expect(loaded.environments.map((e) => e.name)).toEqual(["prod"]);
  });

  test.each(Object.entries(EXAMPLES))("example %s loads for every environment", (_name, file) => {
    const loaded = loadExample(file);
    expect(loaded.environments.length).toBeGreaterThan(0);
  });

  test("environment overrides patch thresholds and routes without restating the rest", () => {
    const loaded = loadExample(EXAMPLES.sportsCoach);
    const env = Object.fromEntries(loaded.environments.map((e) => [e.name, e.model]));
    expect(env.prod.services["sports-api"].rules.HttpApiHighLatencyP95.thresholds).toEqual({ warning: 0.8 });
    expect(env.dev.services["sports-api"].rules.HttpApiHighLatencyP95.thresholds).toEqual({ warning: 2, critical: 5 });
    expect(env.dev.routing.routes).toHaveLength(1);
    expect(env.prod.routing.routes.length).toBeGreaterThan(1);
    expect(env.prod.services["sports-api"].team).toBe(env.dev.services["sports-api"].team);
  });

  test("a model built in TypeScript is validated the same way", () => {
    const yaml = require("js-yaml");
    const input = yaml.load(BASE);
    expect(resolveModel(input, blueprintCatalog).project).toBe("shop");
    input.services.api.kind = "mainframe";
    expect(() => resolveModel(input, blueprintCatalog)).toThrow(/<model>: services\.api\.kind: .*http-api/);
  });
});

interface BadCase {
  name: string;
  edits: Array<[string, string]>;
  /** Expected issues: model path, the text whose line it is on, and a message pattern. */
  expect: Array<{ path: string; at?: string; message: RegExp }>;
}

const BAD: BadCase[] = [
  {
    name: "unknown key (typo)",
    edits: [["    team: web", "    teem: web"]],
    expect: [
      { path: "services.api.teem", at: "teem: web", message: /unknown key "teem"/ },
      { path: "services.api.team", message: /missing required key/ },
    ],
  },
  {
    name: "wrong type",
    edits: [["evaluation_periods: 3", "evaluation_periods: three"]],
    expect: [{ path: "alarms.api-errors.evaluation_periods", at: "evaluation_periods: three", message: /expected number.*got "three"/ }],
  },
  {
    name: "unknown receiver in a route",
    edits: [["      receiver: oncall", "      receiver: on-call"]],
    expect: [{ path: "routing.routes[0].receiver", at: "receiver: on-call", message: /unknown receiver "on-call"/ }],
  },
  {
    name: "unknown default and heartbeat receivers",
    edits: [
      ["  receiver: team\n", "  receiver: teams\n"],
      ["heartbeat: { receiver: beat }", "heartbeat: { receiver: pulse }"],
    ],
    expect: [
      { path: "routing.receiver", at: "receiver: teams", message: /unknown receiver "teams"/ },
      { path: "routing.heartbeat.receiver", at: "receiver: pulse", message: /unknown receiver "pulse"/ },
    ],
  },
  {
    name: "unknown time interval",
    edits: [["mute_time_intervals: [nightly]", "mute_time_intervals: [weekend]"]],
    expect: [{ path: "routing.routes[0].mute_time_intervals[0]", at: "mute_time_intervals: [weekend]", message: /unknown time interval "weekend"/ }],
  },
  {
    name: "duplicate names",
    edits: [["  beat:\n", "  team:\n    type: email\n    to: [a@b.co]\n  beat:\n"]],
    expect: [{ path: "(root)", message: /duplicated mapping key/ }],
  },
  {
    name: "invalid durations",
    edits: [["    for: 10m", "    for: 10 minutes"]],
    expect: [{ path: "alerts.OrdersStalled.for", at: "for: 10 minutes", message: /expected a Prometheus duration/ }],
  },
  {
    name: "PromQL that does not parse",
    edits: [["sum(rate(orders_total[10m])) == 0", "sum(rate(orders_total[10m]) == 0"]],
    expect: [{ path: "alerts.OrdersStalled.expr", at: "expr: sum(rate", message: /PromQL/ }],
  },
  {
    name: "label names Prometheus rejects",
    edits: [["    description: No order was placed for 10 minutes.", "    description: x\n    labels: { team-name: shop, __meta: x }"]],
    expect: [
      { path: "alerts.OrdersStalled.labels.team-name", at: "labels:", message: /expected a Prometheus label name/ },
      { path: "alerts.OrdersStalled.labels.__meta", message: /reserved/ },
    ],
  },
  {
    name: "bad matcher syntax",
    edits: [["['severity=\"critical\"']", "['severity~\"critical\"']"]],
    expect: [{ path: "routing.routes[0].matchers[0]", at: "severity~", message: /matcher/ }],
  },
  {
    name: "secret given as a literal value",
    edits: [["routing_key: { secrets_manager: shop/pagerduty }", "routing_key: 0123456789abcdef0123456789abcdef"]],
    expect: [{ path: "receivers.oncall.routing_key", at: "routing_key: 0123", message: /secret reference.*never a literal/ }],
  },
  {
    name: "override of an unknown built-in rule",
    edits: [["HttpApiHighLatencyP95: { thresholds", "HttpApiHighLatencyP96: { thresholds"]],
    expect: [{ path: "services.api.rules.HttpApiHighLatencyP96", at: "HttpApiHighLatencyP96", message: /no built-in rule or alarm "HttpApiHighLatencyP96" for kind http-api/ }],
  },
  {
    name: "unknown service kind",
    edits: [["kind: http-api", "kind: mainframe"]],
    expect: [{ path: "services.api.kind", at: "kind: mainframe", message: /http-api.*worker/ }],
  },
  {
    name: "unknown time zone",
    edits: [["location: Europe/Berlin", "location: Europe/Atlantis"]],
    expect: [{ path: "routing.time_intervals.nightly[0].location", at: "Europe/Atlantis", message: /unknown time zone/ }],
  },
  {
    name: "alarm with both statistic forms and no threshold",
    edits: [
      ["statistic: Sum,", "statistic: Sum, extended_statistic: p99,"],
      ["    threshold: 10\n", ""],
    ],
    expect: [
      { path: "alarms.api-errors.metric", message: /exactly one of statistic or extended_statistic/ },
      { path: "alarms.api-errors.threshold", message: /missing required key/ },
    ],
  },
  {
    name: "composite alarm over an unknown alarm",
    edits: [["alarms:\n", 'alarms:\n  degraded:\n    composite: { rule: ALARM("api-errors") OR ALARM("db-down") }\n    severity: critical\n']],
    expect: [{ path: "alarms.degraded.composite.rule", at: "composite:", message: /unknown alarm "db-down"/ }],
  },
  {
    name: "account id that is not 12 digits, invalid region",
    edits: [['account: "123456789012"', "account: 12345"]],
    expect: [{ path: "environments.prod.account", at: "account: 12345", message: /12-digit/ }],
  },
  {
    name: "alert name not CamelCase",
    edits: [["  OrdersStalled:", "  orders-stalled:"]],
    expect: [{ path: "alerts.orders-stalled", at: "orders-stalled:", message: /CamelCase/ }],
  },
  {
    name: "unknown severity",
    edits: [["    severity: warning", "    severity: page"]],
    expect: [{ path: "alerts.OrdersStalled.severity", at: "severity: page", message: /critical.*warning.*info/ }],
  },
  {
    name: "alert missing summary and description",
    edits: [["    summary: No orders\n    description: No order was placed for 10 minutes.\n", ""]],
    expect: [
      { path: "alerts.OrdersStalled.summary", message: /missing required key/ },
      { path: "alerts.OrdersStalled.description", message: /missing required key/ },
    ],
  },
  {
    name: "bad environment override, reported where the override says it",
    edits: [['    account: "123456789012"\n', '    account: "123456789012"\n    overrides:\n      services:\n        api:\n          rules:\n            HttpApiHighLatencyP95: { for: soon }\n']],
    expect: [{ path: "environments.prod.overrides.services.api.rules.HttpApiHighLatencyP95.for", at: "for: soon", message: /duration/ }],
  },
  {
    name: "environment override naming an unknown receiver",
    edits: [['    account: "123456789012"\n', '    account: "123456789012"\n    overrides:\n      routing:\n        receiver: nobody\n']],
    expect: [{ path: "environments.prod.overrides.routing.receiver", at: "receiver: nobody", message: /unknown receiver "nobody"/ }],
  },
  {
    name: "routes nested deeper than Grafana's five policy levels",
    edits: [
      [
        "      mute_time_intervals: [nightly]\n",
        "      mute_time_intervals: [nightly]\n" +
          ["a", "b", "c", "d", "e"].map((team, i) => `${"    ".repeat(i)}      routes:\n${"    ".repeat(i)}        - matchers: ['team="${team}"']\n`).join(""),
      ],
    ],
    expect: [{ path: "routing.routes[0].routes[0].routes[0].routes[0].routes[0].routes[0]", at: 'team="e"', message: /routes nest 6 levels deep; Grafana notification policies nest at most 5/ }],
  },
  {
    name: "two environments sharing one Grafana org",
    edits: [
      [
        '    account: "123456789012"\n',
        '    account: "123456789012"\n    grafana: { url: https://grafana.shop.example.com }\n  staging:\n    region: eu-west-1\n    account: "123456789013"\n    grafana: { url: "https://grafana.shop.example.com/" }\n',
      ],
    ],
    expect: [{ path: "environments.staging.grafana.url", at: 'url: "https://grafana.shop.example.com/"', message: /environments prod and staging share the Grafana org .*notification policy tree/ }],
  },
  {
    name: "unknown way for Grafana to sign AWS requests",
    edits: [['    account: "123456789012"\n', '    account: "123456789012"\n    grafana: { managed_workspace: {}, aws_auth: sso }\n']],
    expect: [{ path: "environments.prod.grafana.aws_auth", at: "aws_auth: sso", message: /default.*ec2_iam_role.*keys/ }],
  },
  {
    name: "Grafana URL and a managed workspace (which brings its own URL)",
    edits: [['    account: "123456789012"\n', '    account: "123456789012"\n    grafana:\n      url: https://grafana.shop.example.com\n      managed_workspace: { authentication: [SAML] }\n']],
    expect: [{ path: "environments.prod.grafana.url", at: "url: https://grafana.shop", message: /a managed workspace brings its own URL/ }],
  },
  {
    name: "managed collector without its EKS cluster, with agent settings",
    edits: [['    account: "123456789012"\n', '    account: "123456789012"\n    scraping:\n      mode: managed-collector\n      agent: { oidc_provider_arn: "arn:aws:iam::123456789012:oidc-provider/oidc.example.com" }\n']],
    expect: [
      { path: "environments.prod.scraping.eks", message: /missing required key \(the managed collector scrapes an EKS cluster\)/ },
      { path: "environments.prod.scraping.agent", at: "agent: { oidc_provider_arn", message: /apply to mode prometheus-agent only/ },
    ],
  },
  {
    name: "EKS cluster of another account",
    edits: [
      [
        '    account: "123456789012"\n',
        '    account: "123456789012"\n    scraping:\n      mode: managed-collector\n      eks:\n        cluster_arn: arn:aws:eks:eu-west-1:999999999999:cluster/shop\n        subnet_ids: [subnet-0123456789abcdef0, subnet-0123456789abcdef1]\n',
      ],
    ],
    expect: [{ path: "environments.prod.scraping.eks.cluster_arn", at: "cluster_arn: arn:aws:eks", message: /cluster is in eu-west-1\/999999999999, the environment in eu-west-1\/123456789012/ }],
  },
  {
    name: "unknown scraping mode, malformed and too few subnets",
    edits: [['    account: "123456789012"\n', '    account: "123456789012"\n    scraping: { mode: sidecar, eks: { cluster_arn: arn:aws:eks:eu-west-1:123456789012:cluster/shop, subnet_ids: [subnet-1] } }\n']],
    expect: [
      { path: "environments.prod.scraping.mode", at: "mode: sidecar", message: /expected managed-collector or prometheus-agent; got "sidecar"/ },
      { path: "environments.prod.scraping.eks.subnet_ids[0]", at: "mode: sidecar", message: /subnet id such as subnet-/ },
      { path: "environments.prod.scraping.eks.subnet_ids", message: />=2 items/ },
    ],
  },
  {
    name: "Prometheus agent without a kubeconfig context, OIDC provider of another account",
    edits: [['    account: "123456789012"\n', '    account: "123456789012"\n    scraping:\n      mode: prometheus-agent\n      agent: { oidc_provider_arn: "arn:aws:iam::999999999999:oidc-provider/oidc.example.com" }\n']],
    expect: [
      { path: "environments.prod.scraping.kubernetes.config_context", message: /missing required key \(the kubeconfig context of the cluster\)/ },
      { path: "environments.prod.scraping.agent.oidc_provider_arn", at: "oidc_provider_arn", message: /OIDC provider is in account 999999999999, the environment in 123456789012/ },
    ],
  },
  {
    name: "exporter on an http-api service, a connection string instead of a Secret reference",
    edits: [
      ["    selector: { job: api }\n", "    selector: { job: api }\n    exporter: {}\n"],
      ["alerts:\n", "  db:\n    kind: postgres\n    team: data\n    selector: { job: pg }\n    exporter: { connection_secret: postgresql://exporter@db:5432/shop }\nalerts:\n"],
    ],
    expect: [
      { path: "services.db.exporter.connection_secret", at: "connection_secret: postgresql", message: /Kubernetes Secret reference \{name, key\} — never the connection string itself/ },
    ],
  },
  {
    name: "exporters and health checks that do not fit the kind",
    edits: [
      ["    selector: { job: api }\n", "    selector: { job: api }\n    exporter: {}\n"],
      [
        "alerts:\n",
        "  db:\n    kind: postgres\n    team: data\n    selector: { job: pg }\n    exporter: { port: 9200 }\n    health: { urls: [https://db.example.com/ok] }\n  cache:\n    kind: redis\n    team: data\n    selector: { job: redis }\n    exporter: { connection_secret: { name: cache, key: url } }\n    scrape: { namespace: shop, pod_labels: { app: redis }, port: 9121 }\nalerts:\n",
      ],
    ],
    expect: [
      { path: "services.api.exporter", at: "exporter: {}", message: /kind http-api has no exporter: its own endpoint is scraped/ },
      { path: "services.db.exporter.connection_secret", message: /missing required key \(postgres-exporter connects with it\)/ },
      { path: "services.db.exporter.port", message: /applies to host services \(node-exporter\) only/ },
      { path: "services.db.health", at: "health: { urls", message: /health checks are probed for http-api services; db is postgres/ },
      { path: "services.cache.scrape", at: "scrape: { namespace: shop", message: /either through its exporter or from its own endpoint/ },
    ],
  },
  {
    name: "two node-exporters on one host port, a service name too long for Kubernetes",
    edits: [
      ['    account: "123456789012"\n', '    account: "123456789012"\n    scraping: { mode: prometheus-agent, kubernetes: { config_context: shop }, agent: { oidc_provider_arn: "arn:aws:iam::123456789012:oidc-provider/oidc.example.com" } }\n'],
      [
        "alerts:\n",
        `  nodes:\n    kind: host\n    team: ops\n    selector: { job: node }\n    exporter: {}\n  more-nodes:\n    kind: host\n    team: ops\n    selector: { job: node2 }\n    exporter: { port: 9100 }\n  ${"x".repeat(60)}:\n    kind: host\n    team: ops\n    selector: { job: node3 }\n    exporter: { port: 9101 }\nalerts:\n`,
      ],
    ],
    expect: [
      { path: "services.more-nodes.exporter.port", message: /node-exporters of nodes and more-nodes would both listen on host port 9100 on the same nodes/ },
      { path: `services.${"x".repeat(60)}`, message: /Kubernetes name x+-exporter of its exporter is longer than 63 characters/ },
    ],
  },
  {
    name: "YAML syntax error",
    edits: [["    for: 10m", "    for: [10m"]],
    expect: [{ path: "(root)", message: /YAML|flow collection|unexpected/i }],
  },
  {
    name: "notifier-delivered receivers without a fallback for the notifier's own alarms",
    edits: [["notifier: { fallback_receiver: mail }\n", ""]],
    expect: [{ path: "notifier", message: /missing notifier\.fallback_receiver: beat, oncall, team are delivered by the notifier/ }],
  },
  {
    name: "fallback receiver that the notifier itself delivers",
    edits: [["fallback_receiver: mail", "fallback_receiver: team"]],
    expect: [{ path: "notifier.fallback_receiver", at: "fallback_receiver: team", message: /must be an e-mail receiver; "team" is slack/ }],
  },
  {
    name: "unknown fallback receiver",
    edits: [["fallback_receiver: mail", "fallback_receiver: mailbox"]],
    expect: [{ path: "notifier.fallback_receiver", at: "fallback_receiver: mailbox", message: /unknown receiver "mailbox"/ }],
  },
  {
    name: "environment override pointing the fallback at PagerDuty",
    edits: [['    account: "123456789012"\n', '    account: "123456789012"\n    overrides:\n      notifier:\n        fallback_receiver: oncall\n']],
    expect: [{ path: "environments.prod.overrides.notifier.fallback_receiver", at: "fallback_receiver: oncall", message: /must be an e-mail receiver; "oncall" is pagerduty/ }],
  },
];

describe("bad models", () => {
  test.each(BAD)("$name", ({ name, edits, expect: expected }) => {
    const text = edit(BASE, ...edits);
    const file = writeModel(name.replace(/\W+/g, "-"), text);
    const issues = issuesOf(file);
    for (const want of expected) {
      const issue = issues.find((i) => formatPath(i.path) === want.path && want.message.test(i.message));
      if (!issue) throw new Error(`no issue at ${want.path} matching ${want.message}; got:\n${new ModelError(issues).message}`);
      expect(issue.file).toBe(file);
      if (want.at) expect(issue.line).toBe(lineOf(text, want.at));
    }
  });

  test("every problem is reported at once, each with a hint or an expectation", () => {
    const text = edit(BASE, ...BAD.slice(0, 5).flatMap((c) => c.edits));
    const issues = issuesOf(writeModel("many", text));
    // Schema errors stop semantic checks (their input is not trustworthy), so count the schema ones.
    expect(issues.length).toBeGreaterThanOrEqual(3);
    for (const issue of issues) expect(`${issue.message} ${issue.hint ?? ""}`).toMatch(/expected|unknown|missing|hint|defined|remove/i);
  });

  test("semantic problems across sections are all reported together", () => {
    const text = edit(
      BASE,
      ["      receiver: oncall", "      receiver: on-call"],
      ["mute_time_intervals: [nightly]", "mute_time_intervals: [weekend]"],
      ["sum(rate(orders_total[10m])) == 0", "sum(rate(orders_total[10m]) == 0"],
      ["HttpApiHighLatencyP95: { thresholds", "HttpApiHighLatencyP96: { thresholds"],
    );
    const issues = issuesOf(writeModel("semantic", text));
    expect(issues.map((i) => formatPath(i.path)).sort()).toEqual(
      ["alerts.OrdersStalled.expr", "routing.routes[0].mute_time_intervals[0]", "routing.routes[0].receiver", "services.api.rules.HttpApiHighLatencyP96"].sort(),
    );
  });

  test("the error text reads file:line: path: message, then a hint", () => {
    const text = edit(BASE, ["      receiver: oncall", "      receiver: on-call"]);
    const file = writeModel("format", text);
    expect(() => loadModelFile(file, blueprintCatalog)).toThrow(
      `${file}:${lineOf(text, "receiver: on-call")}: routing.routes[0].receiver: unknown receiver "on-call"\n    hint: defined receivers: oncall, team, beat, mail`,
    );
  });

  test("a missing file is a model error, not a crash", () => {
    expect(() => loadModelFile(path.join(dir, "nope.yaml"), blueprintCatalog)).toThrow(/cannot read the model file/);
  });
});
