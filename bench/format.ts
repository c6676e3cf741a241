/** Small formatting helpers shared by the benchmarks. */

/** Rounds to `digits` significant digits (integers above that stay integers); NaN/Infinity -> null. */
export function sig(x: number, digits = 4): number | null {
  if (!Number.isFinite(x)) return null;
  if (x === 0) return 0;
  return Number(x.toPrecision(digits));
}

/** 1.23e7-style text for large counts, plain text for small numbers, "–" for missing ones. */
export function human(x: number | null | undefined, digits = 3): string {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–';
  const a = Math.abs(x);
  if (a !== 0 && (a >= 1e5 || a < 1e-3)) return x.toExponential(digits - 1).replace('e+', 'e');
  return String(Number(x.toPrecision(digits)));
}

/** Renders a Markdown table; the first row is the header. */
export function markdownTable(rows: string[][]): string {
  const [head, ...body] = rows;
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...body.map(line)].join('\n');
}
