//! include util/common.wgsl
// Voltage monitor: gathers the potentials of chosen neurons into the chunk's trace buffer.
// CPU twin: the voltage-monitor loop in src/engine/cpu/cpu-simulation.ts (CpuSimulation.advance).
struct RecordParams {
  count: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
}

@group(0) @binding(1) var<uniform> P: RecordParams;
@group(0) @binding(2) var<storage, read> indices: array<u32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
@group(0) @binding(4) var<storage, read_write> trace: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let k = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (k >= P.count) {
    return;
  }
  trace[step_record.local_step * P.count + k] = v[indices[k]];
}
