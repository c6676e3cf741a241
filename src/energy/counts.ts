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
  /** Crossbar matrix-vector reads: one per input vector per array tile. */
  crossbarReads: number;
  /** Crossbar cells read: rows x columns per read, summed. */
  crossbarCellReads: number;
  /** Camera events processed (DVS). */
  dvsEvents: number;
  /** Bytes moved to or from memory, as the backend's traffic model counts them. */
  memoryBytes: number;
}

export function zeroCounts(): WorkCounts {
  return { neuronUpdates: 0, spikes: 0, synapticOps: 0, macs: 0, crossbarReads: 0, crossbarCellReads: 0, dvsEvents: 0, memoryBytes: 0 };
}

/** a + b, field by field. */
export function addCounts(a: WorkCounts, b: WorkCounts): WorkCounts {
  const out = zeroCounts();
  for (const k of Object.keys(out) as (keyof WorkCounts)[]) out[k] = a[k] + b[k];
  return out;
}
