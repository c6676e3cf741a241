/** The Node-vs-Chromium table: the same benchmark rows measured in both runtimes in one invocation. */
import { human, markdownTable } from '../format.js';
import type { Row } from '../scaling.js';

/** What identifies a measurement across runtimes: benchmark, model, size and backend. */
function key(row: Row): string {
  return [row.bench, row.model ?? '', row.n, row.backend].join('|');
}

/** Rows of `chromium` paired with the Node row of the same key; rtf ratio above 1 = the browser is slower. */
export function compareRuntimes(node: Row[], chromium: Row[]): string {
  const byKey = new Map(node.map((r) => [key(r), r]));
  const table: string[][] = [['bench', 'model', 'neurons', 'backend', 'window (s)', 'Node rtf', 'Chromium rtf', 'Chromium / Node', 'spikes = CPU (Node / Chromium)']];
  for (const c of chromium) {
    const n = byKey.get(key(c));
    if (!n) continue;
    const match = (r: Row) => {
      const m = r.spikes_match ?? r.spikes_match_cpu;
      return m === undefined || m === null ? '–' : m ? 'yes' : 'NO';
    };
    table.push([
      String(c.bench),
      String(c.model ?? '–'),
      String(c.n),
      String(c.backend),
      n.bio_s === c.bio_s ? String(c.bio_s) : `${n.bio_s} / ${c.bio_s}`,
      human(n.rtf as number),
      human(c.rtf as number),
      human((c.rtf as number) / (n.rtf as number)),
      `${match(n)} / ${match(c)}`,
    ]);
  }
  const adapters = (rows: Row[]) => [...new Set(rows.filter((r) => r.backend === 'gpu').map((r) => String(r.adapter)))].join(', ') || 'none';
  const head = `Node GPU adapter: ${adapters(node)}; Chromium GPU adapter: ${adapters(chromium)}; rtf = wall / biological time; Chromium / Node = rtf ratio, above 1 means slower in the browser.\n\n`;
  return head + markdownTable(table);
}
