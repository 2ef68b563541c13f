// One JSON object per line, so CloudWatch Logs Insights can query the fields. Callers pass names,
// counts and statuses only: never URLs, keys or request bodies (those carry the secrets).
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

export function jsonLogger(write: (line: string) => void = (line) => console.log(line)): Logger {
  const log = (level: string) => (message: string, fields: LogFields = {}) => write(JSON.stringify({ level, message, ...fields }));
  return { info: log("info"), warn: log("warn"), error: log("error") };
}
