// Deterministic, noise-free numbers in PromQL and text (0.1 + 0.2 prints as 0.3).
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`threshold must be finite, got ${n}`);
  return String(Number(n.toPrecision(12)));
}

/** A human reading of a threshold in its unit: 0.05 ratio → "5%", 1.5 seconds → "1.5s". */
export function formatValue(n: number, unit: string): string {
  switch (unit) {
    case "ratio":
      return `${formatNumber(n * 100)}%`;
    case "percent":
      return `${formatNumber(n)}%`;
    case "seconds":
      return `${formatNumber(n)}s`;
    case "bytes":
      return `${formatNumber(n)} bytes`;
    default:
      return formatNumber(n);
  }
}

/** The Go template that renders `$value` the same way in alert annotations. */
export function valueTemplate(unit: string): string {
  switch (unit) {
    case "ratio":
      return "{{ $value | humanizePercentage }}";
    case "seconds":
      return "{{ $value | humanizeDuration }}";
    case "bytes":
      return "{{ $value | humanize1024 }}B";
    default:
      return "{{ $value | humanize }}";
  }
}
