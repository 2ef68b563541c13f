// Model errors are collected, never thrown one at a time: users fix a file in one pass.
export type ModelPath = Array<string | number>;

export interface ModelIssue {
  file: string;
  path: ModelPath;
  line?: number;
  message: string;
  hint?: string;
}

export function formatPath(path: ModelPath): string {
  return path.reduce<string>((acc, seg) => (typeof seg === "number" ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), "") || "(root)";
}

export function formatIssue(i: ModelIssue): string {
  const where = i.line !== undefined ? `${i.file}:${i.line}` : i.file;
  return `${where}: ${formatPath(i.path)}: ${i.message}${i.hint ? `\n    hint: ${i.hint}` : ""}`;
}

export class ModelError extends Error {
  constructor(readonly issues: ModelIssue[]) {
    super(`${issues.length} problem${issues.length === 1 ? "" : "s"} in the monitoring model:\n${issues.map(formatIssue).join("\n")}`);
    this.name = "ModelError";
  }
}
