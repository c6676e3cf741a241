/**
 * The work a simulation did, counted as it ran: what an energy model turns into joules. Every
 * field is a count of operations (never a time or an energy), summed over the whole run.
 */
export interface WorkCounts {
  /** Neuron state updates: neurons x steps. */
  neuronUpdates: number;
  /** Spikes emitted by integrating neurons and sources. */
  spikes: number;
  /** Synaptic operations: each spike times the fan-out it was delivered to. */
  synapticOps: number;
  /** Multiply-accumulates of dense (non-event-driven) arithmetic, e.g. an ANN layer. */
  macs: number;
  /**
   * Crossbar reads: one per input vector per row tile (tile_rows rows driven at once, all the
   * array's columns read), i.e. ceil(inputs / tile_rows) per matrix-vector product, as ann-counts.ts
   * counts them; a read's energy is readEnergy(array, x).total / ceil(inputs / tile_rows).
   */
  crossbarReads: number;
  /**
   * Crossbar cells read: rows x columns per read, summed. The engine counts a crossbar-backed
   * projection's deliveries (spikes x n_post) here and in synapticOps alike.
   */
  crossbarCellReads: number;
  /** Camera events processed (DVS). */
  dvsEvents: number;
  /** Bytes moved to or from memory, as the backend's traffic model counts them. */
  memoryBytes: number;
  /**
   * Integrate-and-fire updates without leak (v += I, then the threshold compare): neurons x
   * steps of the converted SNNs (src/convert/snn-cpu.ts, snn-gpu.ts), counted apart from
   * `neuronUpdates` (Euler LIF) because an IF update is one add, not a multiply and three adds.
   */
  integrateFireUpdates: number;
}

export function zeroCounts(): WorkCounts {
  return { neuronUpdates: 0, spikes: 0, synapticOps: 0, macs: 0, crossbarReads: 0, crossbarCellReads: 0, dvsEvents: 0, memoryBytes: 0, integrateFireUpdates: 0 };
}

/** a + b, field by field. */
export function addCounts(a: WorkCounts, b: WorkCounts): WorkCounts {
  const out = zeroCounts();
  for (const k of Object.keys(out) as (keyof WorkCounts)[]) out[k] = a[k] + b[k];
  return out;
}
