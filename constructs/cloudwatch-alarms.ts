// CloudWatch metric, metric-math, anomaly and composite alarms from plain definitions.
import { CloudwatchCompositeAlarm } from "@cdktf/provider-aws/lib/cloudwatch-composite-alarm";
import { CloudwatchMetricAlarm } from "@cdktf/provider-aws/lib/cloudwatch-metric-alarm";
import { ITerraformDependable } from "cdktf";
import { Construct } from "constructs";
import { AlarmDefinition, AlarmMetric } from "../alerts/alarms";
import { terraformLiteral, terraformLiteralValues } from "./terraform-literal";

export interface CloudWatchAlarmsProps {
  alarms: AlarmDefinition[];
  /** Topic ARN per receiver name. */
  topicArns: Record<string, string>;
  /** Per receiver, what must exist before an alarm may publish to it (its topic policy). */
  publishPermissions?: Record<string, ITerraformDependable>;
}

export class CloudWatchAlarms extends Construct {
  readonly alarms: Record<string, CloudwatchMetricAlarm | CloudwatchCompositeAlarm> = {};

  constructor(scope: Construct, id: string, props: CloudWatchAlarmsProps) {
    super(scope, id);
    const actions = (a: AlarmDefinition) => a.receivers.map((r) => props.topicArns[r]);
    // Only the alarm's own receivers: depending on every topic costs O(alarms × receivers) in synth and JSON.
    const dependsOn = (a: AlarmDefinition) => {
      const deps = a.receivers.flatMap((r) => props.publishPermissions?.[r] ?? []);
      return deps.length ? deps : undefined;
    };
    const metricAlarms = props.alarms.filter((a) => !a.compositeRule);
    for (const a of metricAlarms) {
      this.alarms[a.key] = new CloudwatchMetricAlarm(this, a.key, {
        alarmName: a.alarmName,
        alarmDescription: terraformLiteral(a.description),
        comparisonOperator: a.comparison!,
        evaluationPeriods: a.evaluationPeriods!,
        datapointsToAlarm: a.datapointsToAlarm,
        treatMissingData: a.treatMissingData,
        threshold: a.thresholdMetricId ? undefined : a.threshold,
        thresholdMetricId: a.thresholdMetricId,
        ...(a.metric ? singleMetric(a.metric) : {}),
        metricQuery: a.queries?.map((q) => ({
          id: q.id,
          expression: terraformLiteral(q.expression),
          label: terraformLiteral(q.label),
          returnData: q.returnData,
          metric: q.metric && {
            namespace: q.metric.namespace,
            metricName: q.metric.metricName,
            dimensions: q.metric.dimensions,
            stat: q.metric.statistic ?? q.metric.extendedStatistic!,
            period: q.metric.period,
            unit: q.metric.unit,
          },
        })),
        alarmActions: actions(a),
        okActions: actions(a),
        tags: terraformLiteralValues(a.labels),
        dependsOn: dependsOn(a),
      });
    }
    // Composite rules name other alarms through their resources, so Terraform orders them.
    for (const a of props.alarms.filter((x) => x.compositeRule)) {
      const rule = a.compositeRule!.replace(/\b(ALARM|OK|INSUFFICIENT_DATA)\(\s*"?([^")\s]+)"?\s*\)/g, (_m, state: string, key: string) => {
        const target = this.alarms[key];
        if (!target) throw new Error(`composite alarm ${a.key} refers to unknown alarm ${key}`);
        return `${state}("${target.alarmName}")`;
      });
      this.alarms[a.key] = new CloudwatchCompositeAlarm(this, a.key, {
        alarmName: a.alarmName,
        alarmDescription: terraformLiteral(a.description),
        alarmRule: rule,
        alarmActions: actions(a),
        okActions: actions(a),
        tags: terraformLiteralValues(a.labels),
        dependsOn: dependsOn(a),
      });
    }
  }
}

function singleMetric(m: AlarmMetric) {
  return {
    namespace: m.namespace,
    metricName: m.metricName,
    dimensions: m.dimensions,
    statistic: m.statistic,
    extendedStatistic: m.extendedStatistic,
    period: m.period,
    unit: m.unit,
  };
}
