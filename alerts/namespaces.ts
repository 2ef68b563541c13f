// Rule groups → AMP rule group namespaces: one per team, split where a namespace would pass
// AMP's size quota for a rule groups namespace definition (1 MB, not adjustable).
import { dumpYaml } from "./routing";
import { PromRule, RuleGroup } from "./rules";

export const AMP_NAMESPACE_MAX_BYTES = 1_000_000;

export interface RuleNamespace {
  name: string;
  /** A Prometheus rule file: `groups:` YAML, as promtool and AMP read it. */
  data: string;
}

export function ruleFile(groups: RuleGroup[]): string {
  return dumpYaml({ groups: groups.map((g) => ({ name: g.name, rules: g.rules.map(orderRule) })) });
}

export function packNamespaces(groups: RuleGroup[], maxBytes = AMP_NAMESPACE_MAX_BYTES): RuleNamespace[] {
  const byTeam = new Map<string, RuleGroup[]>();
  for (const g of [...groups].sort((a, b) => a.name.localeCompare(b.name))) {
    if (!byTeam.has(g.team)) byTeam.set(g.team, []);
    byTeam.get(g.team)!.push(g);
  }
  const out: RuleNamespace[] = [];
  for (const team of [...byTeam.keys()].sort()) {
    // A rule file is "groups:\n" plus each group's block, so sizes add up exactly.
    const header = Buffer.byteLength("groups:\n");
    const parts: RuleGroup[][] = [[]];
    let size = header;
    for (const g of byTeam.get(team)!) {
      const bytes = Buffer.byteLength(ruleFile([g])) - header;
      if (header + bytes > maxBytes) throw new Error(`rule group "${g.name}" alone is ${header + bytes} bytes, over the ${maxBytes}-byte namespace limit; split the service's alerts`);
      if (parts[parts.length - 1].length > 0 && size + bytes > maxBytes) {
        parts.push([]);
        size = header;
      }
      parts[parts.length - 1].push(g);
      size += bytes;
    }
    // The first part keeps the team's plain name, so growing past the quota adds a namespace
    // instead of renaming (and replacing) the existing one.
    parts.forEach((p, i) => out.push({ name: i === 0 ? team : `${team}-${i + 1}`, data: ruleFile(p) }));
  }
  return out;
}

/** Key order as Prometheus documents it, so diffs read naturally. */
function orderRule(r: PromRule): PromRule {
  const { record, alert, expr, for: forDuration, labels, annotations } = r;
  return Object.fromEntries(Object.entries({ record, alert, expr, for: forDuration, labels, annotations }).filter(([, v]) => v !== undefined)) as unknown as PromRule;
}
