/**
 * The spike raster drawn with Canvas2D from the recordings: the CPU path (no WebGPU, or the
 * backend switch on CPU). Same layout and colours as the GPU raster (raster-layout.ts), so the
 * two pictures match pixel for pixel in what they show.
 */
import type { SpikeRecording } from '../model/recording.js';
import { BAND_COLORS, bandBackground, type RasterLayout, rowIntensity, stepAtColumn } from './raster-layout.js';
import type { RasterView } from './raster-view.js';

export class CpuRaster implements RasterView {
  private readonly context: CanvasRenderingContext2D;
  /** Spiking neurons per (column, row), like the GPU raster's history buffer. */
  private readonly history: Uint32Array;
  private readonly image: ImageData;

  constructor(
    readonly canvas: HTMLCanvasElement,
    private readonly layout: RasterLayout,
    /** One recording per band, in band order. */
    private readonly recordings: SpikeRecording[],
    readonly columns: number,
  ) {
    const context = canvas.getContext('2d');
    if (!context) throw new Error('raster: the canvas has no 2D context');
    this.context = context;
    this.history = new Uint32Array(columns * layout.totalRows);
    this.image = context.createImageData(columns, layout.totalRows);
  }

  accumulate(firstStep: number, steps: number): void {
    const end = firstStep + steps;
    const from = Math.max(firstStep, end - this.columns, 0);
    const rows = this.layout.totalRows;
    this.layout.bands.forEach((band, k) => {
      const rec = this.recordings[k];
      for (let step = from; step < end; step++) {
        const bits = rec.stepBits(step);
        const column = (step % this.columns) * rows;
        for (let r = 0; r < band.rows; r++) {
          const row = band.firstRow + r;
          const lo = this.layout.rowInfo[row * 4];
          const hi = this.layout.rowInfo[row * 4 + 1];
          let count = 0;
          for (let i = lo; i < hi; i++) count += (bits[i >>> 5] >>> (i & 31)) & 1;
          this.history[column + row] = count;
        }
      }
    });
  }

  draw(stepsDone: number): void {
    const rows = this.layout.totalRows;
    const px = this.image.data;
    for (let row = 0; row < rows; row++) {
      const size = this.layout.rowInfo[row * 4 + 1] - this.layout.rowInfo[row * 4];
      const band = this.layout.rowInfo[row * 4 + 2];
      const bg = bandBackground(band);
      const fg = BAND_COLORS[band % BAND_COLORS.length];
      for (let x = 0; x < this.columns; x++) {
        const step = stepAtColumn(x, this.columns, stepsDone);
        const t = step < 0 ? 0 : rowIntensity(this.history[(step % this.columns) * rows + row], size);
        const o = (row * this.columns + x) * 4;
        for (let c = 0; c < 3; c++) px[o + c] = Math.round(255 * (bg[c] + (fg[c] - bg[c]) * t));
        px[o + 3] = 255;
      }
    }
    // The image is columns × rows; the canvas may be larger: scale without smoothing.
    if (this.canvas.width === this.columns && this.canvas.height === rows) {
      this.context.putImageData(this.image, 0, 0);
    } else {
      createImageBitmap(this.image).then((bitmap) => {
        this.context.imageSmoothingEnabled = false;
        this.context.drawImage(bitmap, 0, 0, this.canvas.width, this.canvas.height);
        bitmap.close();
      });
    }
  }

  dispose(): void {}
}
