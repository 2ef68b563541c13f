// PromQL syntax check with Prometheus' own Lezer grammar (the one its web UI uses).
import { parser } from "@prometheus-io/lezer-promql";

/** Returns null when `expr` parses, else a message with the offending column. */
export function promqlSyntaxError(expr: string): string | null {
  const tree = parser.parse(expr);
  let errorAt = -1;
  tree.iterate({
    enter(node) {
      if (errorAt < 0 && node.type.isError) errorAt = node.from;
      return errorAt < 0;
    },
  });
  if (errorAt < 0) return null;
  const near = expr.slice(Math.max(0, errorAt - 15), errorAt + 15);
  return `PromQL does not parse at column ${errorAt + 1} (near ${JSON.stringify(near)})`;
}
