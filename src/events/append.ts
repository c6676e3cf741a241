/**
 * Fills a preallocated stream with decoded events, making the checks every reader makes of each
 * event: on the sensor, and (unless allowUnsorted) times that never decrease. Errors name the
 * format and the byte offset of the offending field.
 */
import { EventFileError } from './file-error.js';
import type { EventStream } from './stream.js';

export class EventAppender {
  /** Events appended so far. */
  n = 0;
  private last = -Infinity;

  constructor(
    private readonly format: string,
    readonly out: EventStream,
    private readonly allowUnsorted = false,
  ) {}

  /** Refuses an event off the sensor; `at` is the byte offset of its coordinates. */
  checkOnSensor(x: number, y: number, at: number): void {
    const { width, height } = this.out;
    if (x < 0 || x >= width || y < 0 || y >= height) throw new EventFileError(this.format, at, `event at (${x}, ${y}) outside the ${width}x${height} sensor`);
  }

  /** Appends an event already checked to be on the sensor; `at` is the byte offset of its time. */
  append(x: number, y: number, t: number, p: number, at: number): void {
    if (t < this.last && !this.allowUnsorted) throw new EventFileError(this.format, at, `time goes backwards (${t} us after ${this.last} us)`);
    this.last = t;
    const n = this.n++;
    this.out.x[n] = x;
    this.out.y[n] = y;
    this.out.t[n] = t;
    this.out.p[n] = p;
  }

  /** checkOnSensor, then append, both at byte offset `at`. */
  push(x: number, y: number, t: number, p: number, at: number): void {
    this.checkOnSensor(x, y, at);
    this.append(x, y, t, p, at);
  }
}
