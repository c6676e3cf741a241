//! include train/gpu/train_common.wgsl
//! include train/gpu/neuron_common.wgsl
// Steps t1-1 down to t0 of a neuron layer's backward pass, one thread per (outer, inner) neuron
// with dL/dv' and dL/da carried in registers and stored back to gvState and gaState. CPU twin:
// src/train/cpu/neuron.ts (neuronBackward), the same f32 operations in the same order
// (u = v - threshold, g = surrogate'(u), d = dL/ds, or dL/dv for li):
//   li: gv = d + gv';  spiking: r = the reset's derivative, gv = d * g + gv' * r
//   lif, li: dx = gv * (1 - beta), gv' = gv * beta;  if: dx = gv' = gv
//   cuba-lif: ga = gv * coef + ga, dx = ga, ga = ga * alpha, gv' = gv * beta
// dx is written at t, or added to gradInput[o][i] for a time-invariant input. Bit for bit on
// SwiftShader except with the sigmoid surrogate (exp); keep the expressions as written.
@group(0) @binding(2) var<storage, read> v_seq: array<f32>;
@group(0) @binding(3) var<storage, read> s_seq: array<f32>;
@group(0) @binding(4) var<storage, read> grad_out: array<f32>;
@group(0) @binding(5) var<storage, read_write> grad_input: array<f32>;
@group(0) @binding(6) var<storage, read_write> gv_state: array<f32>;
@group(0) @binding(7) var<storage, read_write> ga_state: array<f32>;

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
  let detach = (K.flags & 4u) != 0u;
  let static_input = P.static_input != 0u;
  var gv_next = gv_state[n];
  var ga = 0.0;
  if (model == 1u) {
    ga = ga_state[n];
  }
  var dx_acc = 0.0;
  if (static_input) {
    dx_acc = grad_input[n];
  }
  for (var t = P.t1; t > P.t0; t = t - 1u) {
    let at = seq_index(o, t - 1u, i);
    let d = grad_out[at];
    var gv: f32;
    if (model == 3u) {
      gv = d + gv_next;
    } else {
      let v = v_seq[at];
      let s = s_seq[at];
      let g = surrogate_grad(v - K.threshold);
      var r: f32;
      if (detach) {
        if (subtract) {
          r = 1.0;
        } else {
          r = 1.0 - s;
        }
      } else if (subtract) {
        r = 1.0 - K.threshold * g;
      } else {
        r = (1.0 - s) - v * g;
      }
      gv = d * g + gv_next * r;
    }
    var dx: f32;
    if (model == 0u || model == 3u) {
      dx = gv * K.one_minus_beta;
      gv_next = gv * K.beta;
    } else if (model == 2u) {
      dx = gv;
      gv_next = gv;
    } else {
      ga = gv * K.coef + ga;
      dx = ga;
      ga = ga * K.alpha;
      gv_next = gv * K.beta;
    }
    if (static_input) {
      dx_acc = dx_acc + dx;
    } else {
      grad_input[at] = dx;
    }
  }
  if (static_input) {
    grad_input[n] = dx_acc;
  }
  gv_state[n] = gv_next;
  if (model == 1u) {
    ga_state[n] = ga;
  }
}
