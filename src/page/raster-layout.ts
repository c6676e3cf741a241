/**
 * How the raster's rows are shared among populations. Both raster renderers (WebGPU and
 * Canvas2D) use this one layout, so the two backends draw the same picture.
 *
 * Populations are stacked top to bottom, each a band of rows in proportion to its size (every
 * band gets a few rows, so a 2-neuron output layer stays visible next to 100,000 neurons). A row
 * covers the neurons [lo, hi): many per row for large populations, one neuron over several rows
 * for small ones. A row is lit by the fraction of its neurons that spiked.
 */
export interface RasterBand {
  population: string;
  n: number;
  /** First row of the band (row 0 is the top of the raster). */
  firstRow: number;
  rows: number;
}

export interface RasterLayout {
  bands: RasterBand[];
  totalRows: number;
  /** Per row: first neuron, one past the last neuron, band index, 0 (a vec4<u32> per row). */
  rowInfo: Uint32Array;
}

/** Colours of the bands, cycled: the first few of matplotlib's palette (as in src/plot/svg.ts). */
export const BAND_COLORS: [number, number, number][] = [
  [0.35, 0.65, 1.0],
  [1.0, 0.55, 0.2],
  [0.35, 0.85, 0.4],
  [1.0, 0.35, 0.35],
  [0.75, 0.55, 1.0],
  [0.9, 0.75, 0.3],
];

export function layoutRaster(populations: { name: string; n: number }[], totalRows: number): RasterLayout {
  if (populations.length === 0) throw new Error('raster: no population to draw');
  const total = populations.reduce((s, p) => s + p.n, 0);
  const minRows = Math.max(1, Math.min(4, Math.floor(totalRows / populations.length)));
  const spare = Math.max(0, totalRows - minRows * populations.length);
  const bands: RasterBand[] = [];
  let row = 0;
  populations.forEach((p, k) => {
    const last = k === populations.length - 1;
    const rows = last ? Math.max(minRows, totalRows - row) : minRows + Math.floor((spare * p.n) / total);
    bands.push({ population: p.name, n: p.n, firstRow: row, rows });
    row += rows;
  });
  const rowInfo = new Uint32Array(row * 4);
  bands.forEach((b, k) => {
    for (let r = 0; r < b.rows; r++) {
      const lo = Math.floor((r * b.n) / b.rows);
      const hi = Math.max(lo + 1, Math.floor(((r + 1) * b.n) / b.rows));
      rowInfo.set([lo, Math.min(hi, b.n), k, 0], (b.firstRow + r) * 4);
    }
  });
  return { bands, totalRows: row, rowInfo };
}

/**
 * Which step column x of a `columns`-wide window shows, once `stepsDone` steps have run: the
 * window grows from the left until it is full, then scrolls so the newest step is at the right.
 * Returns -1 for a column with no step yet. The WGSL twin is in gpu-raster.ts.
 */
export function stepAtColumn(x: number, columns: number, stepsDone: number): number {
  const step = stepsDone <= columns ? x : stepsDone - columns + x;
  return step < stepsDone ? step : -1;
}

/** Brightness of a row with `count` of its `size` neurons spiking: any spike shows, more is brighter. */
export function rowIntensity(count: number, size: number): number {
  return count === 0 ? 0 : 0.35 + 0.65 * Math.sqrt(count / size);
}

/** Background of a band: alternate bands are a shade lighter so their borders show. */
export function bandBackground(band: number): [number, number, number] {
  return band % 2 === 0 ? [0.05, 0.07, 0.09] : [0.09, 0.11, 0.14];
}
