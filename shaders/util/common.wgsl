// Prepended to every kernel. The host encodes many steps into one command buffer; each step's
// dispatches bind a different 256-byte record of one uniform buffer through a dynamic offset.
struct StepRecord {
  step: u32,       // absolute step index t
  slot: u32,       // t % ring_len: where this step's spike bitmask lives in the ring buffers
  local_step: u32, // index of the step inside the current chunk (for per-chunk recording buffers);
                   // fused_network.wgsl, which runs a whole chunk, reads the chunk's length here
  ring_len: u32,   // depth of every spike ring buffer, in steps
}

@group(0) @binding(0) var<uniform> step_record: StepRecord;

override WORKGROUP_SIZE: u32 = 64u;

// Dispatches larger than 65,535 workgroups are laid out in 2D; this flattens them.
fn flat_group(wid: vec3u, nwg: vec3u) -> u32 {
  return wid.x + wid.y * nwg.x;
}

// The ring slot holding the spikes emitted `delay` steps before the current step.
fn delayed_slot(delay: u32) -> u32 {
  return (step_record.slot + step_record.ring_len - delay) % step_record.ring_len;
}
