// Grid layout: Grafana's grid is 24 columns wide; rows stack, panels flow left to right and wrap.
export const GRID_COLUMNS = 24;
const ROW_HEADER_HEIGHT = 1;

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface PanelSize {
  w: number;
  h: number;
  /** Consecutive panels of one group (e.g. one service's tiles) start a new line rather than split. */
  group?: string;
}

const clampWidth = (w: number) => Math.min(Math.max(w, 1), GRID_COLUMNS);

/**
 * Positions for rows of panel sizes: each titled row gets a full-width header, its panels fill
 * lines of 24 columns, and a line is as tall as its tallest panel. Pure and position-only.
 */
export function layoutRows(rows: Array<{ titled: boolean; sizes: PanelSize[] }>): Array<{ header?: GridPos; panels: GridPos[] }> {
  let y = 0;
  return rows.map((row) => {
    const header = row.titled ? { x: 0, y, w: GRID_COLUMNS, h: ROW_HEADER_HEIGHT } : undefined;
    if (header) y += ROW_HEADER_HEIGHT;
    let x = 0;
    let lineHeight = 0;
    const panels = row.sizes.map(({ w, h, group }, i) => {
      const width = clampWidth(w);
      const startsGroup = group !== undefined && row.sizes[i - 1]?.group !== group;
      let groupWidth = 0;
      for (let j = i; startsGroup && row.sizes[j]?.group === group; j++) groupWidth += clampWidth(row.sizes[j].w);
      const groupWraps = startsGroup && x > 0 && groupWidth <= GRID_COLUMNS && x + groupWidth > GRID_COLUMNS;
      if (x + width > GRID_COLUMNS || groupWraps) {
        y += lineHeight;
        x = 0;
        lineHeight = 0;
      }
      const pos = { x, y, w: width, h };
      x += width;
      lineHeight = Math.max(lineHeight, h);
      return pos;
    });
    y += lineHeight;
    return { header, panels };
  });
}
