// Neuron update (LIF, Izhikevich or AdEx) with synaptic receptors + threshold + reset +
// refractory, writing the step's spike bitmask. CPU twin: src/cpu/lif.ts (lifUpdate), same
// operation order.
// One thread per neuron; a workgroup assembles its WORKGROUP_SIZE / 32 bitmask words in
// workgroup memory and writes them whole, so the ring slot needs no clearing and no global atomics.
struct Receptor {
  kind: u32,   // 0 current, 1 delta, 2 exp_current, 3 exp_conductance
  decay: f32,  // exp(-dt / tau)
  coef: f32,   // weight of an exponential current in the exact update of v
  e_rev: f32,  // reversal potential of a conductance (mV)
}

struct LifParams {
  n: u32,
  words: u32,
  mode: u32,             // 0: euler  v += ((v_rest - v) + I) * k;  1: exact (exponential Euler with conductances)
  refractory_steps: u32, // R = round(t_ref / dt)
  v_rest: f32,
  v_reset: f32,
  v_th: f32,
  k: f32,                // dt / tau_m (euler) or exp(-dt / tau_m) (exact), rounded to f32 on the host
  fixed_scale: f32,      // 2^-S: converts the fixed-point sparse input to mV
  n_receptors: u32,
  dt_over_tau: f32,
  flags: u32,            // bit 0: has exp_current receptors; bit 1: has conductance receptors
  model: u32,            // 0 LIF, 1 Izhikevich, 2 AdEx
  a: f32,                // Izhikevich a; AdEx a (units of g_L)
  b: f32,                // Izhikevich b
  delta_t: f32,          // AdEx slope factor (mV)
  v_t: f32,              // AdEx threshold (mV)
  inv_delta_t: f32,      // 1 / delta_t: a multiply, since WGSL division need not be correctly rounded
  k_w: f32,              // AdEx dt / tau_w
  adapt_jump: f32,       // Izhikevich d, AdEx b (mV)
  input_slots: u32,      // depth of the future-input ring: step t reads slot t % input_slots
  seed: u32,
  n_poisson: u32,
  _p0: u32,
  receptors: array<Receptor, 4>,
  poisson: array<PoissonInput, 4>,
}

struct PoissonInput {
  receptor: u32,
  exp_neg_lambda: f32,
  weight: f32,
  stream: u32,           // draw d of a step uses stream + d
}

@group(0) @binding(1) var<uniform> P: LifParams;
@group(0) @binding(2) var<storage, read_write> v: array<f32>;
@group(0) @binding(3) var<storage, read_write> refractory: array<u32>;
@group(0) @binding(4) var<storage, read_write> adapt: array<f32>;       // Izhikevich u, AdEx w
@group(0) @binding(5) var<storage, read_write> syn_state: array<f32>;   // [receptor * n + i]
@group(0) @binding(6) var<storage, read_write> input_float: array<f32>; // [(slot * receptors + r) * n + i]
@group(0) @binding(7) var<storage, read_write> input_fixed: array<i32>;  // [(slot * receptors + r) * n + i]
@group(0) @binding(8) var<storage, read> external_current: array<f32>;
@group(0) @binding(9) var<storage, read_write> ring: array<u32>;

var<workgroup> word_bits: array<atomic<u32>, WORKGROUP_SIZE / 32u>;

// i32 -> f32 with a single round-to-nearest-even (the add), whatever the conversion mode.
fn fixed_to_f32(q: i32) -> f32 {
  return f32(q >> 12u) * 4096.0 + f32(q & 4095);
}

// exp(x) from +, -, *, floor and an exact power of two, so the CPU twin (expF32 in
// src/cpu/lif.ts) computes the same bits; the built-in exp() is not correctly rounded and differs
// between implementations. Cody-Waite reduction x = k ln2 + r, |r| <= ln2 / 2, degree-7 Taylor.
fn exp_f32(x: f32) -> f32 {
  let xc = clamp(x, -87.0, 88.0);
  let k = floor(xc * 1.44269504 + 0.5);
  let r = (xc - k * 0.693359375) - k * -2.12194440e-4;
  var p = 1.98412698e-4;
  p = p * r + 1.38888889e-3;
  p = p * r + 8.33333333e-3;
  p = p * r + 4.16666667e-2;
  p = p * r + 1.66666667e-1;
  p = p * r + 0.5;
  p = p * r + 1.0;
  p = p * r + 1.0;
  return ldexp(p, i32(k));
}

// Knuth's sampler: multiply uniforms (24-bit, exact in f32) until the product is <= exp(-lambda).
// CPU twin: poissonCount in src/cpu/lif.ts.
fn poisson_count(exp_neg_lambda: f32, stream: u32, index: u32) -> u32 {
  var k = 0u;
  var prod = 1.0;
  loop {
    if (k >= 4095u) {
      break;
    }
    prod = prod * (f32(rand_u32(P.seed, stream + k, index, step_info.step) >> 8u) * 5.9604644775390625e-8);
    if (prod <= exp_neg_lambda) {
      break;
    }
    k = k + 1u;
  }
  return k;
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
    var current = external_current[i];
    var jump = 0.0;
    var syn_current = 0.0;
    var syn_exact = 0.0;
    var g_sum = 0.0;
    var g_rev = 0.0;
    var extra = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
    for (var q = 0u; q < P.n_poisson; q = q + 1u) {
      let pq = P.poisson[q];
      extra[pq.receptor] = extra[pq.receptor] + f32(poisson_count(pq.exp_neg_lambda, pq.stream, i)) * pq.weight;
    }
    let input_start = (step_info.step % P.input_slots) * P.n_receptors * P.n;
    for (var r = 0u; r < P.n_receptors; r = r + 1u) {
      let idx = r * P.n + i;
      let in_idx = input_start + idx;
      var input = input_float[in_idx] + fixed_to_f32(input_fixed[in_idx]) * P.fixed_scale;
      if (P.n_poisson > 0u) {
        input = input + extra[r];
      }
      input_float[in_idx] = 0.0;
      input_fixed[in_idx] = 0;
      let rc = P.receptors[r];
      if (rc.kind == 0u) {
        current = current + input;
      } else if (rc.kind == 1u) {
        jump = jump + input;
      } else {
        let s = syn_state[idx] + input;
        syn_state[idx] = s * rc.decay;
        if (rc.kind == 2u) {
          syn_current = syn_current + s;
          syn_exact = syn_exact + rc.coef * s;
        } else {
          g_sum = g_sum + s;
          g_rev = g_rev + s * rc.e_rev;
        }
      }
    }
    let has_exp_current = (P.flags & 1u) != 0u;
    let has_conductance = (P.flags & 2u) != 0u;
    var vi = v[i];
    var r = refractory[i];
    var u = 0.0;
    if (P.model != 0u) {
      u = adapt[i];
    }
    if (r == 0u) {
      vi = vi + jump;
    }
    if (P.model != 0u) {
      // Izhikevich and AdEx: Euler steps; the adaptation variable integrates even while refractory.
      var drive = current;
      if (has_exp_current) {
        drive = drive + syn_current;
      }
      if (has_conductance) {
        drive = drive + (g_rev - g_sum * vi);
      }
      var dv: f32;
      var du: f32;
      var ku: f32;
      if (P.model == 1u) {
        // 0.04 v^2 + 5 v + 140 in Horner form: SwiftShader fuses a*b + c*d into an FMA but leaves
        // a*b + c alone, so this form gives the CPU twin's bits.
        dv = (((0.04 * vi + 5.0) * vi + 140.0) - u) + drive;
        du = P.a * (P.b * vi - u);
        ku = P.k;
      } else {
        dv = (((P.v_rest - vi) + P.delta_t * exp_f32((vi - P.v_t) * P.inv_delta_t)) - u) + drive;
        du = P.a * (vi - P.v_rest) - u;
        ku = P.k_w;
      }
      if (r == 0u) {
        vi = vi + dv * P.k;
      }
      u = u + du * ku;
    } else if (r == 0u) {
      if (P.mode == 0u) {
        var drive = current;
        if (has_exp_current) {
          drive = drive + syn_current;
        }
        if (has_conductance) {
          drive = drive + (g_rev - g_sum * vi);
        }
        vi = vi + ((P.v_rest - vi) + drive) * P.k;
      } else if (!has_conductance) {
        let v_inf = P.v_rest + current;
        vi = v_inf + (vi - v_inf) * P.k;
        if (has_exp_current) {
          vi = vi + syn_exact;
        }
      } else {
        // Exponential Euler: conductances frozen over the step, v relaxes exactly toward v_inf.
        let b = 1.0 + g_sum;
        let v_inf = (((P.v_rest + current) + syn_current) + g_rev) / b;
        vi = v_inf + (vi - v_inf) * exp_f32(-(b * P.dt_over_tau));
      }
    }
    if (vi >= P.v_th) {
      vi = P.v_reset;
      u = u + P.adapt_jump;
      r = P.refractory_steps;
      atomicOr(&word_bits[lid / 32u], 1u << (lid % 32u));
    }
    if (r > 0u) {
      r = r - 1u;
    }
    v[i] = vi;
    refractory[i] = r;
    if (P.model != 0u) {
      adapt[i] = u;
    }
  }

  workgroupBarrier();
  if (lid < WORKGROUP_SIZE / 32u) {
    let w = group * (WORKGROUP_SIZE / 32u) + lid;
    if (w < P.words) {
      ring[step_info.slot * P.words + w] = atomicLoad(&word_bits[lid]);
    }
  }
}
