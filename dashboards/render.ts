// Dashboard specs → Grafana dashboard JSON, built with Grafana's own typed builders
// (@grafana/grafana-foundation-sdk), laid out on the grid, with ids derived from panel keys.
import * as bargauge from "@grafana/grafana-foundation-sdk/bargauge";
import { CloudWatchMetricsQueryBuilder, CloudWatchQueryMode, MetricEditorMode, MetricQueryType } from "@grafana/grafana-foundation-sdk/cloudwatch";
import * as cog from "@grafana/grafana-foundation-sdk/cog";
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  ReduceDataOptionsBuilder,
  VizLegendOptionsBuilder,
} from "@grafana/grafana-foundation-sdk/common";
import {
  ConstantVariableBuilder,
  Dashboard,
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DataSourceRef,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
} from "@grafana/grafana-foundation-sdk/dashboard";
import * as gauge from "@grafana/grafana-foundation-sdk/gauge";
import { DataqueryBuilder } from "@grafana/grafana-foundation-sdk/prometheus";
import * as stat from "@grafana/grafana-foundation-sdk/stat";
import * as table from "@grafana/grafana-foundation-sdk/table";
import * as timeseries from "@grafana/grafana-foundation-sdk/timeseries";
import { panelIds } from "./ids";
import { layoutRows } from "./layout";
import { DashboardSpecIR, DataSourceName, Link, PanelQuery, PanelSpec } from "./spec";

/** Data source uid and type per name: the panels reference these, the stack creates them. */
export type DataSourceRefs = Record<DataSourceName, Required<DataSourceRef>>;

type AnyPanelBuilder = timeseries.PanelBuilder | stat.PanelBuilder | gauge.PanelBuilder | table.PanelBuilder | bargauge.PanelBuilder;

const REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";

function target(q: PanelQuery, refId: string, ds: Required<DataSourceRef>): cog.Builder<cog.Dataquery> {
  if (q.datasource === "amp") return new DataqueryBuilder().refId(refId).datasource(ds).expr(q.expr).legendFormat(q.legend ?? "__auto").range();
  const cw = new CloudWatchMetricsQueryBuilder()
    .refId(refId)
    .datasource(ds)
    .queryMode(CloudWatchQueryMode.Metrics)
    .metricQueryType(MetricQueryType.Search)
    .metricEditorMode(q.expression ? MetricEditorMode.Code : MetricEditorMode.Builder)
    .id(q.id)
    .region("default")
    .hide(q.hidden ?? false);
  if (q.expression) cw.expression(q.expression);
  if (q.namespace) cw.namespace(q.namespace).metricName(q.metricName!).dimensions(q.dimensions ?? {}).matchExact(true);
  if (q.statistic) cw.statistic(q.statistic);
  if (q.period) cw.period(String(q.period));
  if (q.label) cw.label(q.label);
  return cw;
}

const link = (l: Link) => new DashboardLinkBuilder(l.title).type(DashboardLinkType.Link).url(l.url).targetBlank(true);

function panelBuilder(p: PanelSpec): AnyPanelBuilder {
  switch (p.type) {
    case "timeseries": {
      const b = new timeseries.PanelBuilder().legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom));
      // Dashed lines at the alert thresholds, the area beyond them tinted with the level's colour.
      if (p.thresholds?.length) b.thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.DashedAndArea));
      return b;
    }
    case "stat":
      return new stat.PanelBuilder()
        .colorMode(p.thresholds?.length ? BigValueColorMode.Background : BigValueColorMode.None)
        .graphMode(BigValueGraphMode.Area)
        .reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false));
    case "gauge":
      return new gauge.PanelBuilder().reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false));
    case "bargauge":
      return new bargauge.PanelBuilder().reduceOptions(new ReduceDataOptionsBuilder().calcs(["lastNotNull"]).values(false));
    case "table":
      return new table.PanelBuilder();
  }
}

function panel(p: PanelSpec, id: number, pos: { x: number; y: number; w: number; h: number }, dataSources: DataSourceRefs): AnyPanelBuilder {
  const sources = [...new Set(p.queries.map((q) => q.datasource))];
  if (sources.length !== 1) throw new Error(`panel "${p.title}" mixes data sources (${sources.join(", ")})`);
  const ds = dataSources[sources[0]];
  const b = panelBuilder(p)
    .id(id)
    .title(p.title)
    .datasource(ds)
    .gridPos(pos)
    .targets(p.queries.map((q, i) => target(q, REF_IDS[i], ds)));
  if (p.description) b.description(p.description);
  if (p.unit) b.unit(p.unit);
  if (p.thresholds?.length) b.thresholds(new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(p.thresholds));
  if (p.links?.length) b.links(p.links.map(link));
  return b;
}

export function renderDashboard(spec: DashboardSpecIR, dataSources: DataSourceRefs): Dashboard {
  const rows = spec.rows.filter((r) => r.panels.length > 0);
  const ids = panelIds([...rows.flatMap((r) => (r.title ? [`row:${r.title}`] : [])), ...rows.flatMap((r) => r.panels.map((p) => p.key))]);
  const positions = layoutRows(rows.map((r) => ({ titled: r.title !== undefined, sizes: r.panels.map((p) => ({ w: p.width, h: p.height, group: p.group })) })));

  const b = new DashboardBuilder(spec.title)
    .uid(spec.uid)
    .tags(spec.tags)
    .readonly() // provisioned from the model: edits belong in the model, not the UI
    .time({ from: "now-6h", to: "now" })
    .refresh("1m")
    .timezone("browser");
  if (spec.description) b.description(spec.description);
  for (const v of spec.variables)
    b.withVariable(
      v.kind === "constant"
        ? new ConstantVariableBuilder(v.name).value(v.value)
        : new QueryVariableBuilder(v.name)
            .label(v.label)
            .datasource(dataSources.amp)
            .query(v.query)
            .refresh(VariableRefresh.OnTimeRangeChanged)
            .sort(VariableSort.NaturalAsc)
            .multi(true)
            .includeAll(true)
            .allValue(".*"),
    );
  for (const l of spec.links)
    b.link("url" in l ? link(l) : new DashboardLinkBuilder(l.title).type(DashboardLinkType.Dashboards).tags(l.tags).asDropdown(true).includeVars(false).keepTime(true));
  rows.forEach((row, i) => {
    const { header, panels } = positions[i];
    if (row.title && header) b.withRow(new RowBuilder(row.title).id(ids.get(`row:${row.title}`)!).gridPos(header));
    row.panels.forEach((p, j) => b.withPanel(panel(p, ids.get(p.key)!, panels[j], dataSources)));
  });
  return b.build();
}
