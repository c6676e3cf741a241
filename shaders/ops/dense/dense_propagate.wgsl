//! include util/common.wgsl
// Dense propagation: the crossbar matrix-vector product with a binary (spike) input vector.
// CPU twin: src/ops/dense/cpu.ts (densePropagate). One thread per postsynaptic neuron i sums, in
// ascending j, the weights of presynaptic neurons that spiked `delay` steps ago. Weights are
// pre-major (w[j * n_post + i]) so neighbouring threads read neighbouring weights, and only the
// rows of spiking neurons are touched.
struct DenseParams {
  n_pre: u32,
  n_post: u32,
  pre_words: u32,
  delay: u32,
  target_offset: u32, // receptor * n_post: where the target receptor's input starts in a slot
  input_slots: u32,   // depth of the target's future-input ring
  slot_stride: u32,   // receptors * n_post
  _p0: u32,
}

@group(0) @binding(1) var<uniform> P: DenseParams;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read> pre_ring: array<u32>;
@group(0) @binding(4) var<storage, read_write> input_float: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  batch_offset = wid.z;
  let i = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (i >= P.n_post) {
    return;
  }
  let base = delayed_slot(P.delay) * P.pre_words;
  var acc = 0.0;
  for (var w = 0u; w < P.pre_words; w = w + 1u) {
    var bits = pre_ring[base + w];
    while (bits != 0u) {
      let j = w * 32u + countTrailingZeros(bits);
      bits = bits & (bits - 1u);
      acc = acc + weights[j * P.n_post + i];
    }
  }
  let at = (current_step() % P.input_slots) * P.slot_stride + P.target_offset + i;
  input_float[at] = input_float[at] + acc;
}
