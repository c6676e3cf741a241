//! include util/common.wgsl
//! include util/rng.wgsl
//! include crossbar/crossbar_noise.wgsl
// In-situ outer-product update (Gokmen & Vlasov 2016, stochastic pulse coincidence). CPU twin:
// src/crossbar/cpu-crossbar.ts (outerProductUpdateCpu); pulse arithmetic mirrors applyPulse in
// src/crossbar/device.ts.
//
// For each (x, delta) pair of the batch, row i fires in each of `pulses` slots with probability
// p_i and column j with probability q_j, from pulse trains shared by the whole row / column (as
// the drivers would send them); a device pair receives a pulse where both fire, so the expected
// pulse count is pulses * p_i * q_j. Probabilities and signs come as codes: bit 31 the sign, bits
// 0-30 the firing threshold p * 2^31. A positive product SETs the + device and RESETs the -
// device; a negative one the reverse. One thread per device pair, pairs applied in batch order.
struct UpdateParams {
  inputs: u32,
  outputs: u32,
  batch: u32,
  pulses: u32,
  seed: u32,
  slot_base: u32, // pulse-train index of batch entry 0
  _p0: u32,
  _p1: u32,
  gamma_set: f32,
  gamma_reset: f32,
  c2c: f32,
  levels_m1: f32,    // 0: continuous states
  inv_levels_m1: f32,
  _f0: f32,
  _f1: f32,
  _f2: f32,
}

@group(0) @binding(1) var<uniform> P: UpdateParams;
@group(0) @binding(2) var<storage, read> steps: array<vec4f>; // per pair: set+, reset+, set-, reset-
@group(0) @binding(3) var<storage, read_write> states: array<f32>; // + states, then - states
@group(0) @binding(4) var<storage, read> row_codes: array<u32>; // batch x inputs
@group(0) @binding(5) var<storage, read> col_codes: array<u32>; // batch x outputs

// Stochastic rounding to one of the two neighbouring levels (u uniform in [0, 1)); CPU twin:
// roundStateStochastic in device.ts.
fn quantize(w: f32, u: f32) -> f32 {
  if (P.levels_m1 == 0.0) {
    return w;
  }
  let code = floor(w * P.levels_m1 + u);
  if (code >= P.levels_m1) {
    return 1.0;
  }
  return code * P.inv_levels_m1;
}

fn pulse(w: f32, up: bool, step: f32, xi: f32, u: f32) -> f32 {
  var dw: f32;
  if (up) {
    dw = step * (1.0 - P.gamma_set * w);
  } else {
    dw = -(step * (1.0 - P.gamma_reset * (1.0 - w)));
  }
  if (P.c2c > 0.0) {
    dw = dw * max(0.0, 1.0 + P.c2c * xi);
  }
  return quantize(clamp(w + dw, 0.0, 1.0), u);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let n = P.inputs * P.outputs;
  let d = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (d >= n) {
    return;
  }
  let i = d / P.outputs;
  let j = d % P.outputs;
  let st = steps[d];
  var wp = states[d];
  var wm = states[n + d];
  for (var s = 0u; s < P.batch; s = s + 1u) {
    let rc = row_codes[s * P.inputs + i];
    let cc = col_codes[s * P.outputs + j];
    let rt = rc & 0x7fffffffu;
    let ct = cc & 0x7fffffffu;
    if (rt == 0u || ct == 0u) {
      continue;
    }
    let up = ((rc ^ cc) >> 31u) == 0u;
    for (var k = 0u; k < P.pulses; k = k + 1u) {
      let slot = (P.slot_base + s) * P.pulses + k;
      let row_fires = (rand_u32(P.seed, STREAM_ROW_PULSES, i, slot) >> 1u) < rt;
      let col_fires = (rand_u32(P.seed, STREAM_COL_PULSES, j, slot) >> 1u) < ct;
      if (row_fires && col_fires) {
        var xp = 0.0;
        var xm = 0.0;
        if (P.c2c > 0.0) {
          xp = gaussian(P.seed, STREAM_PULSE_NOISE, d, slot);
          xm = gaussian(P.seed, STREAM_PULSE_NOISE, n + d, slot);
        }
        var upl = 0.0;
        var uml = 0.0;
        if (P.levels_m1 > 0.0) {
          upl = uniform24(P.seed, STREAM_PULSE_ROUND, d, slot);
          uml = uniform24(P.seed, STREAM_PULSE_ROUND, n + d, slot);
        }
        wp = pulse(wp, up, select(st.y, st.x, up), xp, upl);
        wm = pulse(wm, !up, select(st.z, st.w, up), xm, uml);
      }
    }
  }
  states[d] = wp;
  states[n + d] = wm;
}
