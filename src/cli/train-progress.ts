/**
 * The progress bar of `neuromorph train` on stderr, in the style of progress.ts: share of all
 * batches done, epoch k/N, batch, running loss and accuracy, images per second. Redrawn in place
 * on a terminal; on a pipe, a line at most every 10 % of the run. Epoch summaries and other notes
 * go on lines of their own.
 */
import type { EpochRecord, TrainProgress } from '../train/trainer.js';

export class TrainProgressBar {
  private lastTenth = -1;
  /** Whether the terminal's cursor is at the end of a bar line (a note needs a newline first). */
  private drawn = false;

  constructor(
    private readonly epochs: number,
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  update(p: TrainProgress): void {
    const share = Math.min(1, (p.epoch - 1 + p.batch / p.batches) / this.epochs);
    const width = 30;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    const line =
      `[${bar}] ${(share * 100).toFixed(0).padStart(3)}%  epoch ${p.epoch}/${this.epochs}  batch ${p.batch}/${p.batches}  ` +
      `loss ${p.loss.toFixed(4)}  acc ${(p.accuracy * 100).toFixed(1)}%  ${p.samplesPerSecond.toFixed(0)} img/s`;
    if (this.tty) {
      this.write(`\r${line}\x1b[K`);
      this.drawn = true;
    } else if (Math.floor(share * 10) > this.lastTenth) {
      this.lastTenth = Math.floor(share * 10);
      this.write(`${line}\n`);
    }
  }

  /** A line of its own (below the bar on a terminal). */
  note(text: string): void {
    this.write(`${this.drawn ? '\n' : ''}${text}\n`);
    this.drawn = false;
  }

  epoch(e: EpochRecord): void {
    const test = e.testAccuracy === undefined ? '' : `; test loss ${e.testLoss!.toFixed(4)}, acc ${(e.testAccuracy * 100).toFixed(2)}%`;
    this.note(`epoch ${e.epoch}/${this.epochs}: train loss ${e.trainLoss.toFixed(4)}, acc ${(e.trainAccuracy * 100).toFixed(2)}%${test}; ${e.trainSeconds.toFixed(1)} s, ${e.samplesPerSecond.toFixed(0)} img/s`);
  }
}
