//! include util/common.wgsl
//! include crossbar/crossbar_noise.wgsl
// Crossbar-backed projection: the spikes of the presynaptic population, emitted `delay` steps ago,
// are read pulses on the rows of a memristor crossbar (v_read on a spiking row, 0 V elsewhere);
// each postsynaptic neuron's differential column current goes through its tile's ADC and the
// tiles' outputs, in weight units, are added to the target receptor's float input.
// CPU twin: src/ops/crossbar-synapses/cpu.ts (crossbarPropagate). The arithmetic is
// crossbar_mvm.wgsl's with a 0/1 input vector and read index = step: per device read noise, rows
// of a tile in ascending order, one ADC per tile, tiles added in ascending order. Rows that do not
// spike add exactly +0 and are skipped, except under wire resistance, where every row below a
// spiking row in its tile adds its column-wire drop.
// Sums are written as sequential a + b * c, as in crossbar_mvm.wgsl.
struct CrossbarParams {
  n_pre: u32,
  n_post: u32,
  pre_words: u32,
  delay: u32,
  target_offset: u32, // receptor * n_post
  input_slots: u32,
  slot_stride: u32,   // receptors * n_post
  tile_rows: u32,
  seed: u32,
  adc_levels: u32,    // 0: ideal ADC
  noise_on: u32,
  wires_on: u32,
  v_read: f32,
  adc_in: f32,
  adc_out: f32,
  out_per_amp: f32,
  read_noise: f32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
}

@group(0) @binding(1) var<uniform> P: CrossbarParams;
@group(0) @binding(2) var<storage, read> g_plus: array<f32>;
@group(0) @binding(3) var<storage, read> g_minus: array<f32>;
@group(0) @binding(4) var<storage, read> rp_plus: array<f32>;
@group(0) @binding(5) var<storage, read> rp_minus: array<f32>;
@group(0) @binding(6) var<storage, read> pre_ring: array<u32>;
@group(0) @binding(7) var<storage, read_write> input_float: array<f32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  batch_offset = wid.z;
  let j = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  if (j >= P.n_post) {
    return;
  }
  let base = delayed_slot(P.delay) * P.pre_words;
  let n = P.n_pre * P.n_post;
  let read = current_step();
  let v = P.v_read;
  var acc = 0.0;
  var any = false;
  for (var r0 = 0u; r0 < P.n_pre; r0 = r0 + P.tile_rows) {
    let r1 = min(P.n_pre, r0 + P.tile_rows);
    var acc_p = 0.0;
    var acc_m = 0.0;
    var cur_p = 0.0;
    var cur_m = 0.0;
    var drop_p = 0.0;
    var drop_m = 0.0;
    var seen = false; // a spiking row in this tile so far
    var i = r0;
    while (i < r1) {
      let bits = pre_ring[base + i / 32u] >> (i % 32u);
      if (bits == 0u && !(P.wires_on != 0u && seen)) {
        i = (i / 32u + 1u) * 32u; // nothing spikes in the rest of this word
        continue;
      }
      let spiking = (bits & 1u) != 0u;
      if (spiking) {
        seen = true;
        let at = i * P.n_post + j;
        let gp = g_plus[at];
        let gm = g_minus[at];
        var gpr = gp;
        var gmr = gm;
        if (P.noise_on != 0u) {
          gpr = gp * (1.0 + P.read_noise * gaussian(P.seed, STREAM_READ_NOISE, at, read));
          gmr = gm * (1.0 + P.read_noise * gaussian(P.seed, STREAM_READ_NOISE, n + at, read));
        }
        acc_p = acc_p + gpr * v;
        acc_m = acc_m + gmr * v;
        if (P.wires_on != 0u) {
          cur_p = cur_p + gp * v;
          cur_m = cur_m + gm * v;
        }
      }
      if (P.wires_on != 0u && seen) {
        let at = i * P.n_post + j;
        drop_p = drop_p + cur_p * rp_plus[at];
        drop_m = drop_m + cur_m * rp_minus[at];
      }
      i = i + 1u;
    }
    if (seen) {
      any = true;
      var current: f32;
      if (P.wires_on != 0u) {
        current = (acc_p - drop_p) - (acc_m - drop_m);
      } else {
        current = acc_p - acc_m;
      }
      if (P.adc_levels == 0u) {
        acc = acc + current * P.out_per_amp;
      } else {
        let lv = f32(P.adc_levels);
        acc = acc + clamp(floor(current * P.adc_in + 0.5), -lv, lv) * P.adc_out;
      }
    }
  }
  if (!any) {
    return;
  }
  let at = (current_step() % P.input_slots) * P.slot_stride + P.target_offset + j;
  input_float[at] = input_float[at] + acc;
}
