// The pure building blocks of the dashboards: threshold colours, comparison splitting, grid
// layout and stable ids.
import { Level } from "../../alerts/rules";
import { SeverityName } from "../../model/schema";
import { UID_MAX_LENGTH, panelIds, stableUid } from "../../dashboards/ids";
import { GRID_COLUMNS, layoutRows } from "../../dashboards/layout";
import { splitComparison } from "../../dashboards/promql-split";
import { OK_COLOR, SEVERITY_COLORS, nextUp, thresholdSteps } from "../../dashboards/thresholds";

/** The colour Grafana gives a value: the last step at or below it. */
function colourOf(steps: Array<{ value: number | null; color: string }>, v: number): string {
  return steps.filter((s) => s.value === null || v >= s.value).pop()!.color;
}
const RANK: Record<SeverityName, number> = { info: 1, warning: 2, critical: 3 };
/** What the alert rules say about a value: the most severe level that fires. */
function firing(levels: Level[], comparison: ">" | "<", v: number): string {
  const fired = levels.filter((l) => (comparison === ">" ? v > l.threshold : v < l.threshold)).sort((a, b) => RANK[b.severity] - RANK[a.severity]);
  return fired.length ? SEVERITY_COLORS[fired[0].severity] : OK_COLOR;
}

describe("threshold steps colour a value exactly as the alerts would fire on it", () => {
  const cases: Array<[string, Level[]]> = [
    ["warning below critical", [{ severity: "warning", threshold: 1 }, { severity: "critical", threshold: 2 }]],
    ["critical below warning", [{ severity: "critical", threshold: 0.5 }, { severity: "warning", threshold: 1 }]],
    ["one level at zero", [{ severity: "warning", threshold: 0 }]],
    ["three levels, one shared threshold", [{ severity: "info", threshold: 0.1 }, { severity: "warning", threshold: 0.1 }, { severity: "critical", threshold: 0.3 }]],
    ["negative thresholds", [{ severity: "warning", threshold: -5 }, { severity: "critical", threshold: -1 }]],
  ];
  test.each(cases.flatMap(([name, levels]) => (["<", ">"] as const).map((c) => [`${name}, ${c}`, levels, c] as const)))("%s", (_name, levels, comparison) => {
    const steps = thresholdSteps(levels, comparison);
    const probes = levels.flatMap((l) => [l.threshold - 1, l.threshold - 1e-9, l.threshold, nextUp(l.threshold), l.threshold + 1e-9, l.threshold + 1]);
    for (const v of probes) expect([v, colourOf(steps, v)]).toEqual([v, firing(levels, comparison, v)]);
  });

  test("no levels, no steps", () => expect(thresholdSteps([], ">")).toEqual([]));
  test("nextUp is the next double", () => {
    expect(nextUp(0)).toBe(Number.MIN_VALUE);
    expect(nextUp(1)).toBe(1 + Number.EPSILON);
    expect(nextUp(-1)).toBeGreaterThan(-1);
    expect(nextUp(-1)).toBeLessThan(-1 + Number.EPSILON);
  });
});

describe("splitComparison: the value an alert compares and its threshold", () => {
  test.each([
    ["avg(x) < 3.5", { value: "avg(x)", comparison: "<", threshold: 3.5 }],
    ["sum(rate(a[1h])) / sum(rate(b[1h])) >= 0.02", { value: "sum(rate(a[1h])) / sum(rate(b[1h]))", comparison: ">", threshold: 0.02 }],
    ["(max by (job) (a or b) > 90)", { value: "max by (job) (a or b)", comparison: ">", threshold: 90 }],
    ["5 > x", { value: "x", comparison: "<", threshold: 5 }],
    ["sum(a) < 0.5 * sum(a offset 1w)", { value: "sum(a)", comparison: "<", reference: "0.5 * sum(a offset 1w)" }],
  ])("%s", (expr, expected) => expect(splitComparison(expr)).toEqual(expected));

  test.each(["x", "a > bool 3", "sum(x) == 0", "a > 1 and b > 2", "rate(x[5m])"])("%s is no threshold comparison", (expr) => expect(splitComparison(expr)).toBeUndefined());
});

describe("grid layout", () => {
  test("rows get headers, panels wrap at 24 columns, lines are as tall as their tallest panel", () => {
    const [first, second] = layoutRows([
      { titled: true, sizes: [{ w: 12, h: 8 }, { w: 12, h: 6 }, { w: 30, h: 4 }] },
      { titled: false, sizes: [{ w: 6, h: 2 }] },
    ]);
    expect(first.header).toEqual({ x: 0, y: 0, w: GRID_COLUMNS, h: 1 });
    expect(first.panels).toEqual([
      { x: 0, y: 1, w: 12, h: 8 },
      { x: 12, y: 1, w: 12, h: 6 },
      { x: 0, y: 9, w: 24, h: 4 },
    ]);
    expect(second).toEqual({ header: undefined, panels: [{ x: 0, y: 13, w: 6, h: 2 }] });
  });

  test("a group that fits on a line is not split across two", () => {
    const tiles = (group: string, n: number) => Array.from({ length: n }, () => ({ w: 4, h: 4, group }));
    const [row] = layoutRows([{ titled: false, sizes: [...tiles("a", 3), ...tiles("b", 3), ...tiles("c", 4)] }]);
    expect(row.panels.map((p) => [p.x, p.y])).toEqual([
      [0, 0], [4, 0], [8, 0], [12, 0], [16, 0], [20, 0],
      [0, 4], [4, 4], [8, 4], [12, 4],
    ]);
    const [wide] = layoutRows([{ titled: false, sizes: [...tiles("a", 3), ...tiles("d", 4)] }]);
    expect(wide.panels.map((p) => p.y)).toEqual([0, 0, 0, 4, 4, 4, 4]);
  });
});

describe("ids", () => {
  test("uids are the readable names when they fit, else a prefix and a hash; always within Grafana's limit", () => {
    expect(stableUid("shop", "prod", "svc-api")).toBe("shop-prod-svc-api");
    const long = stableUid("sports-coach", "production", "dash-business-overview-of-everything");
    expect(long.length).toBeLessThanOrEqual(UID_MAX_LENGTH);
    expect(long).toMatch(/^sports-coach-production-dash-[a-z-]*-[0-9a-f]{8}$/);
    expect(stableUid("sports-coach", "production", "dash-business-overview-of-everything-else")).not.toBe(long);
  });

  test("panel ids depend on the set of keys, not their order", () => {
    const keys = ["a", "b", "c", "HttpApiDown", "context:Requests"];
    const ids = panelIds(keys);
    expect(panelIds([...keys].reverse())).toEqual(ids);
    expect(new Set(ids.values()).size).toBe(keys.length);
    expect(() => panelIds(["a", "a"])).toThrow(/used twice/);
  });
});
