// Threshold steps and units for panels, from the same levels the alert rules and alarms use.
import { Comparison, ValueUnit } from "../alerts/blueprint";
import { Level } from "../alerts/rules";
import { SeverityName } from "../model/schema";

export interface ThresholdStep {
  /** null is Grafana's base step (from minus infinity). */
  value: number | null;
  color: string;
}

export const SEVERITY_COLORS: Record<SeverityName, string> = { critical: "red", warning: "orange", info: "blue" };
export const OK_COLOR = "green";
const RANK: Record<SeverityName, number> = { info: 1, warning: 2, critical: 3 };

function worstColor(levels: Level[]): string {
  if (levels.length === 0) return OK_COLOR;
  return SEVERITY_COLORS[levels.reduce((a, b) => (RANK[b.severity] > RANK[a.severity] ? b : a)).severity];
}

/** The smallest double above x. */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  view.setBigUint64(0, view.getBigUint64(0) + (x > 0 ? 1n : -1n));
  return view.getFloat64(0);
}

/**
 * Grafana colours a value with the last step at or below it (value >= step). Each step takes the
 * colour of the most severe level that fires from its bound on, so the panel changes colour
 * exactly where an alert starts firing, whichever way the comparison points. A `>` alert does not
 * fire at its threshold, so its step sits one double above it: a counter resting at a `> 0`
 * threshold stays green.
 */
export function thresholdSteps(levels: Level[], comparison: Comparison): ThresholdStep[] {
  if (levels.length === 0) return [];
  const bounds = [...new Set(levels.map((l) => l.threshold))].sort((a, b) => a - b);
  if (comparison === ">")
    return [{ value: null, color: OK_COLOR }, ...bounds.map((b) => ({ value: nextUp(b), color: worstColor(levels.filter((l) => l.threshold <= b)) }))];
  return [{ value: null, color: worstColor(levels) }, ...bounds.map((b) => ({ value: b, color: worstColor(levels.filter((l) => l.threshold > b)) }))];
}

/** Grafana unit ids for the blueprints' value units. */
export const GRAFANA_UNITS: Record<ValueUnit, string> = {
  seconds: "s",
  ratio: "percentunit",
  percent: "percent",
  count: "short",
  bytes: "bytes",
  ops: "ops",
  // Cost is in whatever currency the cost counter counts: no currency symbol is right for all.
  money: "short",
  tokens: "short",
};
