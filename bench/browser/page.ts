/**
 * The benchmark page: runs the benchmarks named in ?args= on navigator.gpu and the CPU backend in
 * this tab, and streams every row, table and progress line to the Node driver (browser/run.ts).
 */
import type { BenchArgs } from '../args.js';
import type { BenchHost } from '../host.js';
import { runSuite } from '../suite.js';
import type { BenchBridge } from './protocol.js';

const bridge = window as unknown as Window & BenchBridge;
const logEl = document.getElementById('log')!;

/** "Chromium 139.0.7258.154" from the user agent (headless Chromium says HeadlessChrome). */
function browserName(): string {
  const m = /(?:HeadlessChrome|Chrome)\/([\d.]+)/.exec(navigator.userAgent);
  return m ? `Chromium ${m[1]}` : navigator.userAgent;
}

const host: BenchHost = {
  runtime: 'chromium',
  cpus: navigator.hardwareConcurrency,
  cpuModel: 'unknown',
  loadavg1m: () => null,
};

async function main(): Promise<void> {
  const param = new URLSearchParams(location.search).get('args');
  if (!param) throw new Error('the page needs ?args=<JSON of BenchArgs> (bench/browser/run.ts passes it)');
  const args = JSON.parse(param) as BenchArgs;
  const browser = browserName();
  // Calls are not awaited one by one, so the benchmark never waits for Node; the driver sees them
  // in order, and the run ends only after all of them were delivered.
  const sent: Promise<void>[] = [];
  const log = (msg: string) => {
    logEl.textContent += `${msg}\n`;
    sent.push(bridge.__benchLog(msg));
  };
  log(`[bench] ${browser}`);
  await runSuite(args, {
    host,
    peer: null, // Brian2 needs a Python process: its rows come from the Node run only.
    adapter: (name) => sent.push(bridge.__benchAdapter(name)),
    row: (bench, row) => sent.push(bridge.__benchRow(bench, { ...row, browser })),
    table: (bench, table) => sent.push(bridge.__benchTable(bench, table)),
    log,
  });
  await Promise.all(sent);
}

main().then(
  () => bridge.__benchDone(null),
  (e: unknown) => bridge.__benchDone(e instanceof Error ? (e.stack ?? e.message) : String(e)),
);
