/**
 * A small SVG plotting toolkit: stacked panels sharing an x axis, with line series, spike
 * rasters, horizontal reference lines and legends. Output is plain SVG text, so it renders in a
 * browser, converts to PNG in Node (plot/png.ts), and is easy to assert on in tests.
 */
export interface LineSeries {
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  color: string;
  label?: string;
}

export interface RasterSeries {
  /** Spike times and the row (neuron) each spike belongs to. */
  times: ArrayLike<number>;
  rows: ArrayLike<number>;
  color: string;
}

export interface HLine {
  y: number;
  color: string;
  dashed?: boolean;
  label?: string;
}

export interface Panel {
  title: string;
  ylabel: string;
  lines?: LineSeries[];
  rasters?: RasterSeries[];
  hlines?: HLine[];
  /** y range; derived from the data when omitted. */
  ylim?: [number, number];
  legend?: boolean;
  /** Integer y ticks only (neuron indices). */
  integerTicks?: boolean;
}

export interface FigureSpec {
  title?: string;
  xlabel: string;
  xlim: [number, number];
  panels: Panel[];
  width?: number;
  panelHeight?: number;
}

export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const MARGIN = { left: 70, right: 20, top: 34, bottom: 46, gap: 46 };

export function renderFigure(spec: FigureSpec): string {
  const width = spec.width ?? 960;
  const panelHeight = spec.panelHeight ?? 150;
  const titleSpace = spec.title ? 28 : 0;
  const height = titleSpace + MARGIN.top + spec.panels.length * panelHeight + (spec.panels.length - 1) * MARGIN.gap + MARGIN.bottom;
  const plotW = width - MARGIN.left - MARGIN.right;
  const [x0, x1] = spec.xlim;
  const sx = (x: number) => MARGIN.left + ((x - x0) / (x1 - x0 || 1)) * plotW;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="DejaVu Sans, Liberation Sans, Arial, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="white"/>`,
  ];
  if (spec.title) out.push(`<text x="${width / 2}" y="22" text-anchor="middle" font-size="16" font-weight="bold">${esc(spec.title)}</text>`);

  spec.panels.forEach((panel, k) => {
    const top = titleSpace + MARGIN.top + k * (panelHeight + MARGIN.gap);
    const [y0, y1] = panel.ylim ?? dataRange(panel);
    const sy = (y: number) => top + panelHeight - ((y - y0) / (y1 - y0 || 1)) * panelHeight;
    const clip = `clip${k}`;
    out.push(`<defs><clipPath id="${clip}"><rect x="${MARGIN.left}" y="${top}" width="${plotW}" height="${panelHeight}"/></clipPath></defs>`);
    out.push(`<text x="${MARGIN.left + plotW / 2}" y="${top - 8}" text-anchor="middle" font-size="13" font-weight="bold">${esc(panel.title)}</text>`);
    out.push(`<rect x="${MARGIN.left}" y="${top}" width="${plotW}" height="${panelHeight}" fill="none" stroke="#333"/>`);
    const yticks = ticks(y0, y1, 5).filter((t) => !panel.integerTicks || Number.isInteger(t));
    for (const t of yticks) {
      out.push(`<line x1="${MARGIN.left - 4}" x2="${MARGIN.left}" y1="${f(sy(t))}" y2="${f(sy(t))}" stroke="#333"/>`);
      out.push(`<text x="${MARGIN.left - 7}" y="${f(sy(t) + 4)}" text-anchor="end">${fmt(t)}</text>`);
    }
    for (const t of ticks(x0, x1, 10)) {
      out.push(`<line x1="${f(sx(t))}" x2="${f(sx(t))}" y1="${top + panelHeight}" y2="${top + panelHeight + 4}" stroke="#333"/>`);
      out.push(`<text x="${f(sx(t))}" y="${top + panelHeight + 17}" text-anchor="middle">${fmt(t)}</text>`);
    }
    out.push(`<text transform="translate(16 ${top + panelHeight / 2}) rotate(-90)" text-anchor="middle">${esc(panel.ylabel)}</text>`);
    out.push(`<g clip-path="url(#${clip})">`);
    for (const r of panel.rasters ?? []) {
      const rowH = Math.max(2, Math.min(10, (panelHeight / (y1 - y0 || 1)) * 0.7));
      for (let s = 0; s < r.times.length; s++) {
        out.push(`<rect class="spike" x="${f(sx(r.times[s]) - 1.5)}" y="${f(sy(r.rows[s]) - rowH / 2)}" width="3" height="${f(rowH)}" fill="${r.color}"/>`);
      }
    }
    for (const line of panel.lines ?? []) {
      const pts: string[] = [];
      for (let s = 0; s < line.x.length; s++) pts.push(`${f(sx(line.x[s]))},${f(sy(line.y[s]))}`);
      out.push(`<polyline class="trace" fill="none" stroke="${line.color}" stroke-width="1.4" points="${pts.join(' ')}"/>`);
    }
    for (const h of panel.hlines ?? []) {
      out.push(`<line class="hline" x1="${MARGIN.left}" x2="${MARGIN.left + plotW}" y1="${f(sy(h.y))}" y2="${f(sy(h.y))}" stroke="${h.color}" stroke-width="1.4"${h.dashed ? ' stroke-dasharray="6 4"' : ''}/>`);
    }
    out.push('</g>');
    if (panel.legend) {
      const entries = [...(panel.lines ?? []), ...(panel.hlines ?? [])].filter((e) => e.label);
      const lx = MARGIN.left + plotW - 120;
      if (entries.length > 0) out.push(`<rect x="${lx - 6}" y="${top + 3}" width="122" height="${entries.length * 15 + 6}" fill="white" fill-opacity="0.85" stroke="#ccc"/>`);
      entries.forEach((e, n) => {
        const ly = top + 14 + n * 15;
        out.push(`<line x1="${lx}" x2="${lx + 18}" y1="${ly - 4}" y2="${ly - 4}" stroke="${e.color}" stroke-width="2"${'dashed' in e && e.dashed ? ' stroke-dasharray="4 3"' : ''}/>`);
        out.push(`<text x="${lx + 24}" y="${ly}">${esc(e.label!)}</text>`);
      });
    }
  });
  const lastBottom = titleSpace + MARGIN.top + spec.panels.length * panelHeight + (spec.panels.length - 1) * MARGIN.gap;
  out.push(`<text x="${MARGIN.left + plotW / 2}" y="${lastBottom + 36}" text-anchor="middle">${esc(spec.xlabel)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function dataRange(panel: Panel): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  const see = (y: number) => {
    if (Number.isFinite(y)) {
      lo = Math.min(lo, y);
      hi = Math.max(hi, y);
    }
  };
  for (const l of panel.lines ?? []) for (let s = 0; s < l.y.length; s++) see(l.y[s]);
  for (const h of panel.hlines ?? []) see(h.y);
  for (const r of panel.rasters ?? []) for (let s = 0; s < r.rows.length; s++) see(r.rows[s]);
  if (lo === Infinity) return [0, 1];
  const pad = (hi - lo || 1) * 0.08;
  return [lo - pad, hi + pad];
}

/** "Nice" tick positions (1, 2, 5 × 10^k) covering [lo, hi]. */
export function ticks(lo: number, hi: number, target: number): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / target;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) out.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return out;
}

function f(x: number): string {
  return x.toFixed(1);
}

function fmt(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(3).replace(/\.?0+$/, '');
}

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
