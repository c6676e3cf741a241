/** What the page asks of a spike raster, whichever backend draws it. */
export interface RasterView {
  readonly canvas: HTMLCanvasElement;
  /** Steps shown side by side: the raster scrolls once more steps than this have run. */
  readonly columns: number;
  /**
   * Takes in the spikes of steps [firstStep, firstStep + steps): call after the simulation ran
   * them. The GPU raster reads them from the spike rings, so they must still be there: at most
   * ringLength steps between calls.
   */
  accumulate(firstStep: number, steps: number): void;
  /** Draws the window ending at `stepsDone`. */
  draw(stepsDone: number): void;
  dispose(): void;
}
