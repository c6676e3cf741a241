/**
 * A progress bar on stderr for long runs: simulated time, share done and speed as a real-time
 * factor. Redrawn in place on a terminal; on a pipe, a line at most every 10 %.
 */
export class Progress {
  private lastTenth = -1;
  private readonly start = performance.now();

  constructor(
    private readonly totalMs: number,
    private readonly write: (text: string) => void,
    private readonly tty: boolean,
  ) {}

  update(doneMs: number): void {
    const share = Math.min(1, doneMs / this.totalMs);
    const wall = (performance.now() - this.start) / 1000;
    const speed = wall > 0 ? doneMs / 1000 / wall : 0;
    const width = 30;
    const bar = '#'.repeat(Math.round(share * width)).padEnd(width, '.');
    const line = `[${bar}] ${(share * 100).toFixed(0).padStart(3)}%  ${fmt(doneMs)} / ${fmt(this.totalMs)} ms simulated  ${speed >= 1 ? `${speed.toFixed(2)}× real time` : `${(1 / speed || 0).toPrecision(3)} s per simulated s`}`;
    if (this.tty) {
      this.write(`\r${line}${share >= 1 ? '\n' : ''}`);
    } else if (Math.floor(share * 10) > this.lastTenth) {
      this.lastTenth = Math.floor(share * 10);
      this.write(`${line}\n`);
    }
  }
}

function fmt(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toPrecision(3);
}
