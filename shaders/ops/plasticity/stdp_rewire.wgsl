//! include util/common.wgsl
//! include util/rng.wgsl
// Structural plasticity within a CSR projection's fixed capacity: one thread per synapse slot.
// An active synapse with weight below prune_below is removed (weight and fixed-point weight 0,
// marked free by bit 31 of its column in syn_index, which stdp_synapse.wgsl skips); a slot that
// was free gets a synapse with probability create_threshold / 2^32, to a target drawn from the
// counter RNG, weight w_new; its column is written to syn_index and to the sparse kernel's cols.
// CPU twin: CpuPlasticity.rewire (src/ops/plasticity/cpu.ts).
struct RewireParams {
  synapses: u32,
  n_post: u32,
  create_threshold: u32,
  seed: u32,
  stream: u32,
  step: u32,        // rewire calls so far
  prune_below: f32,
  w_new: f32,
  fixed_scale: f32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
}

@group(0) @binding(1) var<uniform> R: RewireParams;
@group(0) @binding(2) var<storage, read_write> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> weights_fixed: array<i32>;
@group(0) @binding(4) var<storage, read_write> syn_index: array<u32>; // [pre of each synapse | cols, bit 31 = free]
@group(0) @binding(5) var<storage, read_write> cols: array<u32>;      // the sparse kernel's targets
@group(0) @binding(6) var<storage, read_write> eligibility: array<f32>; // reward_stdp; one dummy word otherwise

// A pruned or created synapse starts without eligibility: a reused slot must not inherit it.
fn clear_eligibility(s: u32) {
  if (s < arrayLength(&eligibility)) {
    eligibility[s] = 0.0;
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let s = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (s >= R.synapses) {
    return;
  }
  let col = syn_index[R.synapses + s];
  if ((col & 0x80000000u) == 0u) {
    if (weights[s] < R.prune_below) {
      syn_index[R.synapses + s] = col | 0x80000000u;
      weights[s] = 0.0;
      weights_fixed[s] = 0;
      clear_eligibility(s);
    }
  } else if (rand_u32(R.seed, R.stream, s, R.step) < R.create_threshold) {
    let to = rand_u32(R.seed, R.stream + 1u, s, R.step) % R.n_post;
    syn_index[R.synapses + s] = to;
    cols[s] = to;
    weights[s] = R.w_new;
    weights_fixed[s] = i32(R.w_new * R.fixed_scale);
    clear_eligibility(s);
  }
}
