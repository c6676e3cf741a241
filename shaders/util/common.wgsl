// Prepended to every kernel. The host encodes many steps into one command buffer; each step's
// dispatches bind a different 256-byte record of one uniform buffer through a dynamic offset.
struct StepRecord {
  step: u32,       // absolute step index t
  slot: u32,       // t % ring_len: where this step's spike bitmask lives in the ring buffers
  local_step: u32, // index of the step inside the current chunk (for per-chunk recording buffers);
                   // fused_network.wgsl, which runs a whole chunk, reads the chunk's length here
  ring_len: u32,   // depth of every spike ring buffer, in steps
  batch: u32,      // steps this record's dispatches advance (min-delay batching; 1 without)
}

@group(0) @binding(0) var<uniform> step_record: StepRecord;

override WORKGROUP_SIZE: u32 = 64u;

// Dispatches larger than 65,535 workgroups are laid out in 2D; this flattens them.
fn flat_group(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// Min-delay batching (src/engine/step-batch.ts): when every delay is at least `batch` steps, one
// record covers `batch` steps. A delivery or source kernel then runs them side by side, step
// `wid.z` of the batch in workgroup layer z (they are independent: every spike they read was
// emitted before the batch); neuron_update loops over them. `batch_offset` is the step within
// the batch that the invocation is working on; kernels outside batching leave it 0.
var<private> batch_offset: u32;

// The absolute step the invocation works on.
fn current_step() -> u32 {
  return step_record.step + batch_offset;
}

// The ring slot of current_step() (a chunk, and so a batch, never wraps the ring).
fn current_slot() -> u32 {
  return step_record.slot + batch_offset;
}

// The ring slot holding the spikes emitted `delay` steps before the current step.
fn delayed_slot(delay: u32) -> u32 {
  return (current_slot() + step_record.ring_len - delay) % step_record.ring_len;
}
