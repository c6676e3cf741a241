//! include util/common.wgsl
//! include crossbar/crossbar_noise.wgsl
// Crossbar matrix-vector product, batched over input vectors. CPU twin:
// src/crossbar/cpu-crossbar.ts (mvmCpu).
//
// One thread per output column j and BATCH_BLOCK input vectors; a workgroup covers WORKGROUP_SIZE
// columns. Row voltages (after the DAC) of a chunk of rows are staged in workgroup memory and
// shared by the workgroup's columns, and each conductance is read once for BATCH_BLOCK vectors.
// Each physical tile of tile_rows rows sums its rows in ascending order, has its differential
// current digitised by its own ADC, and the tiles' outputs are added in ascending order: the fixed
// summation order the CPU twin repeats. Sums are written as sequential a + b * c (SwiftShader
// leaves those unfused; it may fuse a * b + c * d).
struct MvmParams {
  inputs: u32,
  outputs: u32,
  batch: u32,
  tile_rows: u32,
  seed: u32,
  read_base: u32,   // read index of input vector 0 (keys its read noise)
  dac_levels: u32,  // 0: ideal DAC
  adc_levels: u32,  // 0: ideal ADC
  noise_on: u32,
  wires_on: u32,
  _p0: u32,
  _p1: u32,
  x_max: f32,
  dac_in: f32,
  dac_out: f32,
  v_per_x: f32,
  adc_in: f32,
  adc_out: f32,
  out_per_amp: f32,
  read_noise: f32,
}

@group(0) @binding(1) var<uniform> P: MvmParams;
@group(0) @binding(2) var<storage, read> g_plus: array<f32>;
@group(0) @binding(3) var<storage, read> g_minus: array<f32>;
@group(0) @binding(4) var<storage, read> rp_plus: array<f32>;
@group(0) @binding(5) var<storage, read> rp_minus: array<f32>;
@group(0) @binding(6) var<storage, read> x_in: array<f32>;
@group(0) @binding(7) var<storage, read_write> y_out: array<f32>;

const BATCH_BLOCK: u32 = 4u;
const ROW_CHUNK: u32 = 64u;
var<workgroup> volts: array<f32, 256>; // BATCH_BLOCK * ROW_CHUNK

fn dac(x: f32) -> f32 {
  let xc = clamp(x, -P.x_max, P.x_max);
  if (P.dac_levels == 0u) {
    return xc * P.v_per_x;
  }
  let lv = f32(P.dac_levels);
  return clamp(floor(xc * P.dac_in + 0.5), -lv, lv) * P.dac_out;
}

fn adc_code(current: f32) -> f32 {
  let lv = f32(P.adc_levels);
  return clamp(floor(current * P.adc_in + 0.5), -lv, lv);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_index) lid: u32) {
  let j = wid.x * WORKGROUP_SIZE + lid;
  let b0 = wid.y * BATCH_BLOCK;
  let in_range = j < P.outputs;
  let n = P.inputs * P.outputs;
  var y = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var r0 = 0u; r0 < P.inputs; r0 = r0 + P.tile_rows) {
    let r1 = min(P.inputs, r0 + P.tile_rows);
    var acc_p = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    var acc_m = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    var cur_p = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    var cur_m = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    var drop_p = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    var drop_m = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    for (var c0 = r0; c0 < r1; c0 = c0 + ROW_CHUNK) {
      let c1 = min(r1, c0 + ROW_CHUNK);
      workgroupBarrier(); // the previous chunk's readers are done
      for (var k = lid; k < BATCH_BLOCK * ROW_CHUNK; k = k + WORKGROUP_SIZE) {
        let row = c0 + k % ROW_CHUNK;
        let b = b0 + k / ROW_CHUNK;
        var v = 0.0;
        if (row < c1 && b < P.batch) {
          v = dac(x_in[b * P.inputs + row]);
        }
        volts[k] = v;
      }
      workgroupBarrier();
      if (in_range) {
        for (var i = c0; i < c1; i = i + 1u) {
          let at = i * P.outputs + j;
          let gp = g_plus[at];
          let gm = g_minus[at];
          for (var bb = 0u; bb < BATCH_BLOCK; bb = bb + 1u) {
            let v = volts[bb * ROW_CHUNK + (i - c0)];
            var gpr = gp;
            var gmr = gm;
            if (P.noise_on != 0u) {
              let read = P.read_base + b0 + bb;
              gpr = gp * (1.0 + P.read_noise * gaussian(P.seed, STREAM_READ_NOISE, at, read));
              gmr = gm * (1.0 + P.read_noise * gaussian(P.seed, STREAM_READ_NOISE, n + at, read));
            }
            acc_p[bb] = acc_p[bb] + gpr * v;
            acc_m[bb] = acc_m[bb] + gmr * v;
            if (P.wires_on != 0u) {
              cur_p[bb] = cur_p[bb] + gp * v;
              cur_m[bb] = cur_m[bb] + gm * v;
              drop_p[bb] = drop_p[bb] + cur_p[bb] * rp_plus[at];
              drop_m[bb] = drop_m[bb] + cur_m[bb] * rp_minus[at];
            }
          }
        }
      }
    }
    for (var bb = 0u; bb < BATCH_BLOCK; bb = bb + 1u) {
      let current = (acc_p[bb] - drop_p[bb]) - (acc_m[bb] - drop_m[bb]);
      if (P.adc_levels == 0u) {
        y[bb] = y[bb] + current * P.out_per_amp;
      } else {
        y[bb] = y[bb] + adc_code(current) * P.adc_out;
      }
    }
  }
  if (in_range) {
    for (var bb = 0u; bb < BATCH_BLOCK; bb = bb + 1u) {
      let b = b0 + bb;
      if (b < P.batch) {
        y_out[b * P.outputs + j] = y[bb];
      }
    }
  }
}
