/**
 * What the benchmark page and its Node driver say to each other: the driver exposes these
 * functions on the page (page.exposeFunction) before loading it and passes the parsed arguments
 * as JSON in the `args` query parameter.
 */
import type { BenchName } from '../args.js';
import type { Row } from '../scaling.js';

export interface BenchBridge {
  __benchAdapter(name: string | null): Promise<void>;
  __benchRow(bench: BenchName, row: Row): Promise<void>;
  __benchTable(bench: BenchName, table: string): Promise<void>;
  __benchLog(msg: string): Promise<void>;
  /** The end of the run: null when every benchmark finished, else the error's stack. */
  __benchDone(error: string | null): Promise<void>;
}
