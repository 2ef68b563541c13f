// Model → CloudWatch alarm definitions (plain data): blueprint alarms per service resource and the
// model's explicit alarms, each with the receivers the routing tree picks for its labels.
import { AlarmSpec, MonitoringModel, SeverityName } from "../model/schema";
import { AlarmQuery, BlueprintAlarm } from "./blueprint";
import { BLUEPRINTS } from "./blueprints";
import { receiversFor } from "./routing";
import { resolveLevels, serviceContext, sortedLabels } from "./rules";

export interface AlarmMetric {
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
  statistic?: string;
  extendedStatistic?: string;
  period: number;
  unit?: string;
}

export interface AlarmMathQuery {
  id: string;
  expression?: string;
  metric?: AlarmMetric;
  label?: string;
  returnData: boolean;
}

export interface AlarmDefinition {
  /** Stable key from model names: the construct id, so reordering never replaces an alarm. */
  key: string;
  alarmName: string;
  description: string;
  severity: SeverityName;
  receivers: string[];
  labels: Record<string, string>;
  metric?: AlarmMetric;
  queries?: AlarmMathQuery[];
  /** For anomaly alarms: the query id of the band. */
  thresholdMetricId?: string;
  /** Composite: rule over other alarms' keys, written as ALARM("key"). */
  compositeRule?: string;
  comparison?: string;
  threshold?: number;
  evaluationPeriods?: number;
  datapointsToAlarm?: number;
  treatMissingData?: string;
}

const OPERATORS = { ">": "GreaterThanThreshold", "<": "LessThanThreshold" } as const;
const BAND_OPERATORS = { ">": "GreaterThanUpperThreshold", "<": "LessThanLowerThreshold" } as const;

export function buildAlarms(model: MonitoringModel, namePrefix: string): AlarmDefinition[] {
  const out: AlarmDefinition[] = [];
  const route = (labels: Record<string, string>) => receiversFor(model.routing, labels);

  for (const service of Object.keys(model.services).sort()) {
    const svc = model.services[service];
    const ctx = serviceContext(service, svc);
    for (const alarm of BLUEPRINTS[svc.kind].alarms) {
      if (!svc.cloudwatch?.[alarm.resource]) continue;
      const override = svc.rules[alarm.id];
      for (const { severity, threshold } of resolveLevels(alarm.thresholds, override)) {
        const queries = alarm.queries(ctx);
        for (const suffix of Object.keys(queries).sort()) {
          const key = [service, alarm.id, severity, suffix].filter(Boolean).join("-");
          const labels = sortedLabels({ ...svc.labels, ...(override?.labels ?? {}), alertname: alarm.id, severity, service, team: svc.team, source: "cloudwatch" });
          out.push({
            key,
            alarmName: `${namePrefix}-${key}`,
            description: `${alarm.description} — ${service} (${severity})`,
            severity,
            receivers: route(labels),
            labels,
            ...blueprintAlarmBody(alarm, queries[suffix], threshold),
          });
        }
      }
    }
  }

  for (const name of Object.keys(model.alarms).sort()) {
    const a = model.alarms[name];
    const svc = a.service ? model.services[a.service] : undefined;
    const labels = sortedLabels({
      ...a.labels,
      alertname: name,
      severity: a.severity,
      team: a.team ?? svc?.team ?? "meta",
      ...(a.service ? { service: a.service } : {}),
      source: "cloudwatch",
    });
    out.push({
      key: name,
      alarmName: `${namePrefix}-${name}`,
      description: a.description ?? name,
      severity: a.severity,
      receivers: route(labels),
      labels,
      ...explicitAlarmBody(a),
    });
  }
  return out;
}

function blueprintAlarmBody(alarm: BlueprintAlarm, q: AlarmQuery, threshold: number): Partial<AlarmDefinition> {
  const common = { evaluationPeriods: alarm.evaluationPeriods, datapointsToAlarm: alarm.datapointsToAlarm, treatMissingData: alarm.treatMissingData };
  if (q.math)
    return {
      ...common,
      comparison: OPERATORS[alarm.comparison],
      threshold,
      queries: q.math.map((m) => ({
        id: m.id,
        expression: m.expression,
        label: m.label,
        returnData: m.returnData ?? false,
        metric: m.metric && { namespace: m.metric.namespace, metricName: m.metric.name, dimensions: m.metric.dimensions, statistic: m.metric.stat, period: m.metric.period },
      })),
    };
  const metric: AlarmMetric = {
    namespace: q.namespace!,
    metricName: q.metricName!,
    dimensions: q.dimensions ?? {},
    statistic: q.statistic,
    extendedStatistic: q.extendedStatistic,
    period: q.period ?? 60,
  };
  if (alarm.anomalyBand !== undefined) return { ...common, ...anomalyQueries(metric, alarm.anomalyBand), comparison: BAND_OPERATORS[alarm.comparison] };
  return { ...common, metric, comparison: OPERATORS[alarm.comparison], threshold };
}

function explicitAlarmBody(a: AlarmSpec): Partial<AlarmDefinition> {
  if (a.composite) return { compositeRule: a.composite.rule };
  const common = { comparison: a.comparison, evaluationPeriods: a.evaluation_periods, datapointsToAlarm: a.datapoints_to_alarm, treatMissingData: a.treat_missing_data };
  const toMetric = (m: NonNullable<AlarmSpec["metric"]>): AlarmMetric => ({
    namespace: m.namespace,
    metricName: m.name,
    dimensions: m.dimensions,
    statistic: m.statistic,
    extendedStatistic: m.extended_statistic,
    period: m.period,
    unit: m.unit,
  });
  if (a.metric && a.anomaly_band !== undefined) return { ...common, ...anomalyQueries(toMetric(a.metric), a.anomaly_band) };
  if (a.metric) return { ...common, metric: toMetric(a.metric), threshold: a.threshold };
  return {
    ...common,
    threshold: a.threshold,
    queries: a.metrics!.map((m) => ({ id: m.id, expression: m.expression, label: m.label, returnData: m.return_data ?? false, metric: m.metric && toMetric(m.metric) })),
  };
}

/** CloudWatch anomaly detection: the metric plus ANOMALY_DETECTION_BAND as the threshold query. */
function anomalyQueries(metric: AlarmMetric, band: number): Partial<AlarmDefinition> {
  return {
    queries: [
      { id: "m1", metric, returnData: true },
      { id: "band", expression: `ANOMALY_DETECTION_BAND(m1, ${band})`, label: `expected band (${band} std dev)`, returnData: true },
    ],
    thresholdMetricId: "band",
  };
}
