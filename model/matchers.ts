// Alertmanager matcher strings (`severity="critical"`, `team=~"api|web"`) and their evaluation.
export type MatchOp = "=" | "!=" | "=~" | "!~";
export interface Matcher {
  name: string;
  op: MatchOp;
  value: string;
}

const MATCHER_RE = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*(?:"((?:[^"\\]|\\.)*)"|([^"\s]*))\s*$/;

/** Parses one matcher; throws with a message naming what was expected. */
export function parseMatcher(text: string): Matcher {
  const m = MATCHER_RE.exec(text);
  if (!m) throw new Error(`expected a matcher like severity="critical" (label, one of = != =~ !~, quoted value); got ${JSON.stringify(text)}`);
  const value = m[3] !== undefined ? JSON.parse(`"${m[3]}"`) : m[4];
  const matcher: Matcher = { name: m[1], op: m[2] as MatchOp, value };
  if (matcher.op === "=~" || matcher.op === "!~") {
    try {
      new RegExp(`^(?:${value})$`);
    } catch (e) {
      throw new Error(`invalid regular expression in matcher ${JSON.stringify(text)}: ${(e as Error).message}`);
    }
  }
  return matcher;
}

export function formatMatcher(m: Matcher): string {
  return `${m.name}${m.op}${JSON.stringify(m.value)}`;
}

/** Alertmanager semantics: a missing label is the empty string; regexes are fully anchored. */
export function matches(m: Matcher, labels: Record<string, string>): boolean {
  const v = labels[m.name] ?? "";
  switch (m.op) {
    case "=":
      return v === m.value;
    case "!=":
      return v !== m.value;
    case "=~":
      return new RegExp(`^(?:${m.value})$`).test(v);
    case "!~":
      return !new RegExp(`^(?:${m.value})$`).test(v);
  }
}
