// Splits an alert expression `value > threshold` into the value to plot and the line to draw, so
// explicit alerts get panels with the same threshold their rule compares against.
import { parser } from "@prometheus-io/lezer-promql";
import { Comparison } from "../alerts/blueprint";

export interface SplitComparison {
  /** The PromQL whose value the alert compares. */
  value: string;
  comparison: Comparison;
  /** A constant threshold… */
  threshold?: number;
  /** …or an expression to plot as the threshold (e.g. last week's value times 0.5). */
  reference?: string;
}

const OPERATORS: Record<string, Comparison> = { Gtr: ">", Gte: ">", Lss: "<", Lte: "<" };
const FLIPPED: Record<Comparison, Comparison> = { ">": "<", "<": ">" };

function literal(expr: string, from: number, to: number, nodeName: string): number | undefined {
  if (nodeName !== "NumberDurationLiteral") return undefined;
  const n = Number(expr.slice(from, to));
  return Number.isFinite(n) ? n : undefined;
}

/** The comparison at the top of `expr` (ignoring outer parentheses), or undefined. */
export function splitComparison(expr: string): SplitComparison | undefined {
  let node = parser.parse(expr).topNode.firstChild;
  while (node?.name === "ParenExpr") node = node.firstChild;
  if (node?.name !== "BinaryExpr") return undefined;
  const children: { name: string; from: number; to: number }[] = [];
  for (let c = node.firstChild; c; c = c.nextSibling) children.push({ name: c.name, from: c.from, to: c.to });
  // `> bool` yields 0/1 instead of filtering: not a threshold.
  if (children.some((c) => c.name === "BoolModifier")) return undefined;
  const opIndex = children.findIndex((c) => c.name in OPERATORS);
  if (opIndex < 1 || opIndex === children.length - 1) return undefined;
  const lhs = children[0];
  const rhs = children[children.length - 1];
  const text = (c: { from: number; to: number }) => expr.slice(c.from, c.to).trim();
  const comparison = OPERATORS[children[opIndex].name];
  const right = literal(expr, rhs.from, rhs.to, rhs.name);
  if (right !== undefined) return { value: text(lhs), comparison, threshold: right };
  const left = literal(expr, lhs.from, lhs.to, lhs.name);
  if (left !== undefined) return { value: text(rhs), comparison: FLIPPED[comparison], threshold: left };
  return { value: text(lhs), comparison, reference: text(rhs) };
}
