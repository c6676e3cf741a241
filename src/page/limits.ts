/**
 * What the playground agrees to build. A network file is text from anywhere: before the network
 * is built (which draws every synapse), its size is estimated from the file itself and a file
 * beyond these limits is refused with a message, instead of exhausting the tab's memory.
 */
export const PAGE_LIMITS = {
  /** File text (characters). */
  fileChars: 64 * 2 ** 20,
  neurons: 2_000_000,
  synapses: 50_000_000,
  /** Spike recordings kept in memory for the figures and the agreement check (bytes). */
  recordingBytes: 512 * 2 ** 20,
} as const;

export class LimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LimitError';
  }
}

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) ? x : 0);

/**
 * Neurons and synapses a parsed (not yet validated) network file would create. Shapes the schema
 * would reject count as 0 here: the reader reports them properly afterwards.
 */
export function estimateFileSize(file: unknown): { neurons: number; synapses: number } {
  const f = (file ?? {}) as { populations?: unknown; projections?: unknown };
  const pops = Array.isArray(f.populations) ? (f.populations as { name?: unknown; n?: unknown }[]) : [];
  const sizeOf = new Map<unknown, number>(pops.map((p) => [p?.name, num(p?.n)]));
  const neurons = pops.reduce((s, p) => s + num(p?.n), 0);
  let synapses = 0;
  const projections = Array.isArray(f.projections) ? (f.projections as { pre?: unknown; post?: unknown; connectivity?: Record<string, unknown> }[]) : [];
  for (const proj of projections) {
    const nPre = sizeOf.get(proj?.pre) ?? 0;
    const nPost = sizeOf.get(proj?.post) ?? 0;
    const c = proj?.connectivity ?? {};
    switch (c.kind) {
      case 'dense':
      case 'fixed_probability':
        // Procedural connectivity stores nothing, but a dense or stored one does.
        synapses += c.kind === 'fixed_probability' && c.procedural === true ? 0 : nPre * nPost * (c.kind === 'dense' ? 1 : Math.min(1, num(c.p)));
        break;
      case 'fixed_indegree':
        synapses += num(c.k) * nPost;
        break;
      case 'one_to_one':
        synapses += nPost;
        break;
      case 'csr':
        synapses += Array.isArray(c.cols) ? c.cols.length : 0;
        break;
      case 'crossbar':
        synapses += nPre * nPost;
        break;
    }
  }
  return { neurons, synapses };
}

export function checkSize(what: string, size: { neurons: number; synapses: number }): void {
  if (size.neurons > PAGE_LIMITS.neurons) {
    throw new LimitError(`${what} has ${size.neurons.toLocaleString('en')} neurons; the playground builds at most ${PAGE_LIMITS.neurons.toLocaleString('en')} (use the CLI for larger networks)`);
  }
  if (size.synapses > PAGE_LIMITS.synapses) {
    throw new LimitError(`${what} has about ${Math.round(size.synapses).toLocaleString('en')} synapses; the playground builds at most ${PAGE_LIMITS.synapses.toLocaleString('en')} (use the CLI for larger networks)`);
  }
}

/** Refuses a run whose spike recordings would not fit the page's memory budget. */
export function checkRecording(steps: number, words: number): void {
  const bytes = steps * words * 4;
  if (bytes > PAGE_LIMITS.recordingBytes) {
    const maxSteps = Math.floor(PAGE_LIMITS.recordingBytes / (words * 4));
    throw new LimitError(`recording ${steps.toLocaleString('en')} steps of this network takes ${(bytes / 2 ** 20).toFixed(0)} MiB; shorten the duration to at most ${maxSteps.toLocaleString('en')} steps`);
  }
}
