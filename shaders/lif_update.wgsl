// LIF membrane update + threshold + reset + refractory, writing the step's spike bitmask.
// CPU twin: src/cpu/lif.ts (lifUpdate). One thread per neuron; a workgroup assembles its
// WORKGROUP_SIZE / 32 bitmask words in workgroup memory and writes them whole, so the ring slot
// needs no clearing and no global atomics.
struct LifParams {
  n: u32,
  words: u32,
  mode: u32,             // 0: euler  v += ((v_rest - v) + I) * k;  1: exact  v = v_inf + (v - v_inf) * k
  refractory_steps: u32, // R = round(t_ref / dt)
  v_rest: f32,
  v_reset: f32,
  v_th: f32,
  k: f32,                // dt / tau_m (euler) or exp(-dt / tau_m) (exact), rounded to f32 on the host
  fixed_scale: f32,      // 2^-S: converts the fixed-point sparse input to mV
}

@group(0) @binding(1) var<uniform> P: LifParams;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> refractory: array<u32>;
@group(0) @binding(4) var<storage, read_write> input_float: array<f32>;
@group(0) @binding(5) var<storage, read_write> input_fixed: array<i32>;
@group(0) @binding(6) var<storage, read> external_current: array<f32>;
@group(0) @binding(7) var<storage, read_write> ring: array<u32>;

var<workgroup> word_bits: array<atomic<u32>, WORKGROUP_SIZE / 32u>;

// i32 -> f32 with a single round-to-nearest-even (the add), whatever the conversion mode.
fn fixed_to_f32(q: i32) -> f32 {
  return f32(q >> 12u) * 4096.0 + f32(q & 4095);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let group = flat_group(wid, nwg);
  let i = group * WORKGROUP_SIZE + lid;
  if (lid < WORKGROUP_SIZE / 32u) {
    atomicStore(&word_bits[lid], 0u);
  }
  workgroupBarrier();

  if (i < P.n) {
    let current = (input_float[i] + fixed_to_f32(input_fixed[i]) * P.fixed_scale) + external_current[i];
    input_float[i] = 0.0;
    input_fixed[i] = 0;
    var vi = v[i];
    var r = refractory[i];
    if (r == 0u) {
      if (P.mode == 0u) {
        vi = vi + ((P.v_rest - vi) + current) * P.k;
      } else {
        let v_inf = P.v_rest + current;
        vi = v_inf + (vi - v_inf) * P.k;
      }
    }
    if (vi >= P.v_th) {
      vi = P.v_reset;
      r = P.refractory_steps;
      atomicOr(&word_bits[lid / 32u], 1u << (lid % 32u));
    }
    if (r > 0u) {
      r = r - 1u;
    }
    v[i] = vi;
    refractory[i] = r;
  }

  workgroupBarrier();
  if (lid < WORKGROUP_SIZE / 32u) {
    let w = group * (WORKGROUP_SIZE / 32u) + lid;
    if (w < P.words) {
      ring[step_info.slot * P.words + w] = atomicLoad(&word_bits[lid]);
    }
  }
}
