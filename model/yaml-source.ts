// YAML parsing that remembers where every mapping and sequence starts, so errors can name a line.
import * as yaml from "js-yaml";
import { ModelError, ModelPath } from "./errors";

export interface YamlSource {
  file: string;
  value: unknown;
  /** 1-based line of the node at `path`, or of its nearest located ancestor. */
  lineOf(path: ModelPath): number | undefined;
}

export function parseYaml(file: string, text: string): YamlSource {
  const starts = new WeakMap<object, number>();
  const stack: number[] = [];
  let value: unknown;
  try {
    value = yaml.load(text, {
      filename: file,
      listener(event, state) {
        if (event === "open") stack.push(state.line);
        else {
          const line = stack.pop()!;
          if (state.result !== null && typeof state.result === "object") starts.set(state.result, line);
        }
      },
    });
  } catch (e) {
    const err = e as yaml.YAMLException;
    throw new ModelError([
      {
        file,
        path: [],
        line: err.mark ? err.mark.line + 1 : undefined,
        message: `YAML syntax error: ${err.reason ?? err.message}`,
        hint: err.reason?.includes("duplicated mapping key") ? "names must be unique within a section" : "check indentation and quoting",
      },
    ]);
  }
  const lines = text.split("\n");
  return {
    file,
    value,
    lineOf(path) {
      let node: unknown = value;
      let line: number | undefined = node && typeof node === "object" ? starts.get(node) : undefined;
      for (const seg of path) {
        if (node === null || typeof node !== "object") break;
        const parentLine = line;
        node = (node as Record<string | number, unknown>)[seg];
        const own = node !== null && typeof node === "object" ? starts.get(node) : undefined;
        line = own ?? (typeof seg === "string" && parentLine !== undefined ? findKeyLine(lines, parentLine, seg) : parentLine);
        if (node === undefined) break;
      }
      // js-yaml's open event for a mapping value fires on the key's line; that is the line users expect.
      return line === undefined ? undefined : line + 1;
    },
  };
}

function findKeyLine(lines: string[], from: number, key: string): number | undefined {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  // Block keys start a line (maybe after "- "); flow keys follow "{" or ",".
  const re = new RegExp(`(^\\s*(-\\s+)?|[{,]\\s*)["']?${escaped}["']?\\s*:`);
  for (let i = from; i < lines.length; i++) if (re.test(lines[i])) return i;
  return from;
}
