// A picture of a dashboard's layout for reviewers: every panel's title at its grid position, its
// type, and a strip of its threshold colours. Drawn from the rendered JSON, so it shows exactly
// what Grafana will lay out. Deterministic SVG text, no fonts or browser needed to write it.
import { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { GRID_COLUMNS } from "./layout";

const COLUMN_PX = 48;
const ROW_PX = 30; // Grafana's grid unit height
const MARGIN = 16;
const HEADER_PX = 44;
const GAP = 4;
const FONT = "DejaVu Sans, Noto Sans CJK SC, sans-serif";
const TITLE_PX = 13;
const TYPE_FILL: Record<string, string> = { timeseries: "#eef4fb", stat: "#eefaf1", gauge: "#fbf6ea", bargauge: "#fbf6ea", table: "#f4f0fb" };

interface LaidOutPanel {
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  colors: string[];
}

const escapeXml = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

/** Approximate advance of a string at `px` size: wide (CJK) glyphs are square, the rest about 0.6em. */
function textWidth(s: string, px: number): number {
  let em = 0;
  for (const ch of s) em += /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/.test(ch) ? 1 : 0.6;
  return em * px;
}

/** Greedy word wrap into at most `maxLines`, the last line cut with an ellipsis when the text goes on. */
function wrap(text: string, maxWidth: number, maxLines: number, px: number): string[] {
  const lines: string[] = [];
  let rest = [...text];
  while (rest.length > 0 && lines.length < maxLines) {
    let n = rest.length;
    while (n > 1 && textWidth(rest.slice(0, n).join(""), px) > maxWidth) n--;
    if (n < rest.length) {
      const space = rest.slice(0, n).lastIndexOf(" ");
      if (space > 0) n = space + 1;
    }
    lines.push(rest.slice(0, n).join("").trim());
    rest = rest.slice(n);
  }
  if (rest.length > 0) {
    let last = lines[lines.length - 1];
    while (last.length > 1 && textWidth(`${last}…`, px) > maxWidth) last = [...last].slice(0, -1).join("");
    lines[lines.length - 1] = `${last.trimEnd()}…`;
  }
  return lines;
}

function panelsOf(d: Dashboard): LaidOutPanel[] {
  return (d.panels ?? []).map((p: any) => ({
    type: p.type,
    title: p.title ?? "",
    gridPos: p.gridPos,
    colors: (p.fieldConfig?.defaults?.thresholds?.steps ?? []).map((s: { color: string }) => s.color),
  }));
}

export function renderLayoutSvg(d: Dashboard): string {
  const panels = panelsOf(d);
  const bottom = Math.max(0, ...panels.map((p) => p.gridPos.y + p.gridPos.h));
  const width = MARGIN * 2 + GRID_COLUMNS * COLUMN_PX;
  const height = HEADER_PX + MARGIN + bottom * ROW_PX;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${MARGIN}" y="28" font-size="18" font-weight="bold" fill="#1f2937">${escapeXml(d.title ?? "")}</text>`,
    `<text x="${width - MARGIN}" y="28" font-size="12" fill="#6b7280" text-anchor="end">uid ${escapeXml(d.uid ?? "")} · ${panels.length} panels</text>`,
  ];
  for (const p of panels) {
    const x = MARGIN + p.gridPos.x * COLUMN_PX;
    const y = HEADER_PX + p.gridPos.y * ROW_PX;
    const w = p.gridPos.w * COLUMN_PX;
    const h = p.gridPos.h * ROW_PX;
    if (p.type === "row") {
      out.push(`<rect x="${x}" y="${y + 2}" width="${w}" height="${h - 4}" fill="#e5e7eb"/>`);
      out.push(`<text x="${x + 8}" y="${y + h / 2 + 5}" font-size="14" font-weight="bold" fill="#111827">${escapeXml(p.title)}</text>`);
      continue;
    }
    const bx = x + GAP / 2;
    const by = y + GAP / 2;
    const bw = w - GAP;
    const bh = h - GAP;
    out.push(`<rect x="${bx}" y="${by}" width="${bw}" height="${bh}" rx="3" fill="${TYPE_FILL[p.type] ?? "#f3f4f6"}" stroke="#9ca3af"/>`);
    const lines = wrap(p.title, bw - 12, Math.max(1, Math.min(3, Math.floor((bh - 24) / 16))), TITLE_PX);
    lines.forEach((line, i) =>
      out.push(`<text x="${bx + 6}" y="${by + 16 + i * 16}" font-size="${TITLE_PX}" font-weight="bold" fill="#111827">${escapeXml(line)}</text>`),
    );
    out.push(`<text x="${bx + bw - 6}" y="${by + bh - 8}" font-size="10" fill="#6b7280" text-anchor="end">${escapeXml(p.type)}</text>`);
    // The threshold colours left to right, as Grafana applies them from low to high values.
    const swatch = 10;
    p.colors.forEach((color, i) => out.push(`<rect x="${bx + 6 + i * (swatch + 2)}" y="${by + bh - 8 - swatch}" width="${swatch}" height="${swatch}" fill="${escapeXml(color)}"/>`));
  }
  out.push("</svg>");
  return `${out.join("\n")}\n`;
}
