/**
 * Where a GpuSimulation's host time and traffic went, accumulated over run() calls
 * (GpuSimulation.timing): the step loop, the readback and the work counter each add their part.
 */

/** Where the host's time went, accumulated over run() calls. */
export interface GpuTiming {
  steps: number;
  chunks: number;
  dispatches: number;
  /** Building command buffers and writing per-chunk uniforms and host spikes. */
  encodeMs: number;
  /** queue.submit. */
  submitMs: number;
  /** Waiting for the GPU: mapAsync of the staging buffers (and the final drain). */
  waitMs: number;
  /** Bytes copied back from the GPU. */
  readbackBytes: number;
  /** Work counting (countWork): spike_count dispatches, not included in `dispatches`. */
  countDispatches: number;
  /** Work counting: bytes of per-neuron spike counts read back, not included in `readbackBytes`. */
  countReadbackBytes: number;
}

export function zeroTiming(): GpuTiming {
  return { steps: 0, chunks: 0, dispatches: 0, encodeMs: 0, submitMs: 0, waitMs: 0, readbackBytes: 0, countDispatches: 0, countReadbackBytes: 0 };
}
