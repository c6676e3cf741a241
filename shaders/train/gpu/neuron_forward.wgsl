//! include train/gpu/train_common.wgsl
//! include train/gpu/neuron_common.wgsl
// Steps t0 .. t1-1 of a neuron layer, one thread per (outer, inner) neuron looping over t with v
// and a carried in registers and stored back to vState and aState. CPU twin:
// src/train/cpu/neuron.ts (neuronForward), the same f32 operations in the same order:
//   lif, li:  v = x + (v - x) * beta;   if: v = v + x
//   cuba-lif: a = a * alpha + x;  v = v * beta + coef * a
//   spike (not li): heaviside v >= threshold, or the smooth sigmoid; reset subtract or zero.
// Stores v before reset and s at t (li: v only). SwiftShader rounds each product and sum of these
// multiply-adds separately (tests/train-ops-gpu-neuron.test.ts checks every model bit for bit);
// keep the expressions as written, a reworded one may compile differently.
@group(0) @binding(2) var<storage, read> input: array<f32>;
@group(0) @binding(3) var<storage, read_write> v_seq: array<f32>;
@group(0) @binding(4) var<storage, read_write> s_seq: array<f32>;
@group(0) @binding(5) var<storage, read_write> v_state: array<f32>;
@group(0) @binding(6) var<storage, read_write> a_state: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let n = thread_index(wid, nwg, lid);
  if (n >= P.outer * P.inner) {
    return;
  }
  let o = n / P.inner;
  let i = n % P.inner;
  let model = K.model;
  let subtract = (K.flags & 1u) != 0u;
  let smooth_spikes = (K.flags & 2u) != 0u;
  var v = v_state[n];
  var a = 0.0;
  if (model == 1u) {
    a = a_state[n];
  }
  for (var t = P.t0; t < P.t1; t = t + 1u) {
    let at = seq_index(o, t, i);
    var x: f32;
    if (P.static_input != 0u) {
      x = input[n];
    } else {
      x = input[at];
    }
    if (model == 0u || model == 3u) {
      v = x + (v - x) * K.beta;
    } else if (model == 2u) {
      v = v + x;
    } else {
      a = a * K.alpha + x;
      v = v * K.beta + K.coef * a;
    }
    v_seq[at] = v;
    if (model == 3u) {
      continue;
    }
    var s: f32;
    if (smooth_spikes) {
      s = sigmoid_spike(v - K.threshold);
    } else {
      s = select(0.0, 1.0, v >= K.threshold);
    }
    s_seq[at] = s;
    if (subtract) {
      v = v - K.threshold * s;
    } else {
      v = v * (1.0 - s);
    }
  }
  v_state[n] = v;
  if (model == 1u) {
    a_state[n] = a;
  }
}
