//! include util/common.wgsl
//! include ops/neuron/neuron_step.wgsl
// Neuron update (LIF, Izhikevich or AdEx) of one population, writing the step's spike bitmask.
// The math is neuron_step (neuron_step.wgsl); CPU twin: src/ops/neuron/cpu.ts (lifUpdate).
// One thread per neuron; a workgroup assembles its WORKGROUP_SIZE / 32 bitmask words in
// workgroup memory and writes them whole, so the ring slot needs no clearing and no global atomics.
// Under min-delay batching one dispatch advances the population step_record.batch steps.
@group(0) @binding(1) var<uniform> P: NeuronParams;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> refractory: array<u32>;
@group(0) @binding(4) var<storage, read_write> adapt: array<f32>;       // Izhikevich u, AdEx w
@group(0) @binding(5) var<storage, read_write> syn_state: array<f32>;   // [receptor * n + i]
@group(0) @binding(6) var<storage, read_write> input_float: array<f32>; // [(slot * receptors + r) * n + i]
@group(0) @binding(7) var<storage, read_write> input_fixed: array<i32>;  // [(slot * receptors + r) * n + i]
@group(0) @binding(8) var<storage, read> external_current: array<f32>;
@group(0) @binding(9) var<storage, read_write> ring: array<u32>;

var<workgroup> word_bits: array<atomic<u32>, WORKGROUP_SIZE / 32u>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let group = flat_group(wid, nwg);
  let i = group * WORKGROUP_SIZE + lid;
  let in_range = i < P.n;
  let has_adapt = model_of(P) != 0u || (flags_of(P) & 4u) != 0u;
  // The neuron's state stays in registers over the batch's steps (step_record.batch: 1 unless
  // every delay of the network is at least that many steps, src/engine/step-batch.ts).
  var state: NeuronState;
  if (in_range) {
    for (var r = 0u; r < receptor_count(P); r = r + 1u) {
      state.syn[r] = syn_state[r * P.n + i];
    }
    state.v = v[i];
    state.refractory = refractory[i];
    if (has_adapt) {
      state.adapt = adapt[i];
    }
  }

  for (var k = 0u; k < step_record.batch; k = k + 1u) {
    batch_offset = k;
    if (lid < WORKGROUP_SIZE / 32u) {
      atomicStore(&word_bits[lid], 0u);
    }
    workgroupBarrier();

    if (in_range) {
      let params = P;
      let extra = poisson_arrivals(params, i, current_step());
      var input = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
      let input_start = (current_step() % P.input_slots) * receptor_count(P) * P.n;
      for (var r = 0u; r < receptor_count(P); r = r + 1u) {
        let in_idx = input_start + r * P.n + i;
        input[r] = arriving_input(params, input_float[in_idx], input_fixed[in_idx], extra[r]);
        input_float[in_idx] = 0.0;
        input_fixed[in_idx] = 0;
      }
      let next = neuron_step(params, state, input, external_current[i]);
      state = next.state;
      if (next.spiked) {
        atomicOr(&word_bits[lid / 32u], 1u << (lid % 32u));
      }
    }

    workgroupBarrier();
    if (lid < WORKGROUP_SIZE / 32u) {
      let w = group * (WORKGROUP_SIZE / 32u) + lid;
      if (w < P.words) {
        ring[current_slot() * P.words + w] = atomicLoad(&word_bits[lid]);
      }
    }
  }

  if (in_range) {
    for (var r = 0u; r < receptor_count(P); r = r + 1u) {
      if (receptor_kind(P, r) >= 2u) {
        syn_state[r * P.n + i] = state.syn[r];
      }
    }
    v[i] = state.v;
    refractory[i] = state.refractory;
    if (has_adapt) {
      adapt[i] = state.adapt;
    }
  }
}
