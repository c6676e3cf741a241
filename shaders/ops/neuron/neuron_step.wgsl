//! include util/rng.wgsl
// The per-neuron time step (LIF, Izhikevich or AdEx with synaptic receptors, threshold, reset,
// refractory) as a function over values, shared by neuron_update.wgsl and fused_network.wgsl.
// CPU twin: src/ops/neuron/cpu.ts (lifUpdate), same operation order. Keep expressions textually
// as they are: SwiftShader fuses some multiply-adds, and a reworded expression may compile
// differently.
struct Receptor {
  kind: u32,   // 0 current, 1 delta, 2 exp_current, 3 exp_conductance
  decay: f32,  // exp(-dt / tau)
  coef: f32,   // weight of an exponential current in the exact update of v
  e_rev: f32,  // reversal potential of a conductance (mV)
}

struct PoissonInput {
  receptor: u32,
  exp_neg_lambda: f32,
  weight: f32,
  stream: u32,           // draw d of a step uses stream + d
}

// A population's constants, for both kernels; the host fills it (neuronParams in
// src/ops/neuron/gpu.ts).
struct NeuronParams {
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
  flags: u32,            // bit 0: has exp_current receptors; 1: has conductance receptors; 2: adaptive threshold; 3: no leak; 4: reset by subtraction
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
  theta_decay: f32,      // LIF adaptive threshold (flags bit 2): theta, in `adapt`, decays by this each step
  receptors: array<Receptor, 4>,
  poisson: array<PoissonInput, 4>,
  // Per Poisson input q, 64 u32 from word 64 q: inverse-CDF thresholds, word 63 = counts covered
  // (0: Knuth's sampler). CPU twin and layout: src/ops/neuron/poisson-table.ts.
  poisson_tables: array<vec4<u32>, 64>,
}

// Specialisation. On the per-kernel path each population's neuron_update pipeline is compiled
// with these override constants set from its parameters (neuronConstants in
// src/ops/neuron/gpu.ts): the compiler then folds the model's branches, unrolls the receptor and
// Poisson loops to fixed trip counts, and can keep input[4] and syn[4] in registers instead of
// indexing them in local memory. The fused kernel steps every population with one pipeline and
// leaves SPECIALISED false, reading the same values from P. Only control flow is specialised;
// the arithmetic (and so every bit of the result) is the same either way.
override SPECIALISED: bool = false;
override S_MODEL: u32 = 0u;
override S_MODE: u32 = 0u;
override S_FLAGS: u32 = 0u;
override S_N_RECEPTORS: u32 = 0u;
override S_RECEPTOR_KINDS: u32 = 0u; // receptor r's kind in bits 8r..8r+7
override S_N_POISSON: u32 = 0u;

fn model_of(P: NeuronParams) -> u32 { if (SPECIALISED) { return S_MODEL; } return P.model; }
fn mode_of(P: NeuronParams) -> u32 { if (SPECIALISED) { return S_MODE; } return P.mode; }
fn flags_of(P: NeuronParams) -> u32 { if (SPECIALISED) { return S_FLAGS; } return P.flags; }
fn receptor_count(P: NeuronParams) -> u32 { if (SPECIALISED) { return S_N_RECEPTORS; } return P.n_receptors; }
fn receptor_kind(P: NeuronParams, r: u32) -> u32 {
  if (SPECIALISED) { return (S_RECEPTOR_KINDS >> (8u * r)) & 0xffu; }
  return P.receptors[r].kind;
}
fn poisson_inputs(P: NeuronParams) -> u32 { if (SPECIALISED) { return S_N_POISSON; } return P.n_poisson; }

// What one neuron carries from step to step.
struct NeuronState {
  v: f32,
  refractory: u32,     // steps left
  adapt: f32,          // Izhikevich u, AdEx w; unused by LIF
  syn: array<f32, 4>,  // exponential receptor states (current or conductance)
}

struct NeuronStep {
  state: NeuronState,
  spiked: bool,
}

// i32 -> f32 with a single round-to-nearest-even (the add), whatever the conversion mode.
fn fixed_to_f32(q: i32) -> f32 {
  return f32(q >> 12u) * 4096.0 + f32(q & 4095);
}

// exp(x) from +, -, *, floor and an exact power of two, so the CPU twin (expF32 in
// src/ops/neuron/cpu.ts) computes the same bits; the built-in exp() is not correctly rounded and
// differs between implementations. Cody-Waite reduction x = k ln2 + r, |r| <= ln2 / 2, degree-7
// Taylor.
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
// CPU twin: poissonCount in src/ops/neuron/cpu.ts. Only for lambda too large for the table.
fn knuth_count(exp_neg_lambda: f32, seed: u32, stream: u32, index: u32, step: u32) -> u32 {
  var k = 0u;
  var prod = 1.0;
  loop {
    if (k >= 4095u) {
      break;
    }
    prod = prod * (f32(rand_u32(seed, stream + k, index, step) >> 8u) * 5.9604644775390625e-8);
    if (prod <= exp_neg_lambda) {
      break;
    }
    k = k + 1u;
  }
  return k;
}

fn poisson_table_word(P: NeuronParams, q: u32, k: u32) -> u32 {
  let w = q * 64u + k;
  return P.poisson_tables[w / 4u][w % 4u];
}

// Poisson input q's arrivals at neuron `index`: one draw u, count = #{k < used - 1 : T[k] <= u}
// by binary search over the input's table (integer only, so every adapter gives the CPU twin's
// count); Knuth's loop where the table does not cover lambda. CPU twin: poissonArrivals in
// src/ops/neuron/cpu.ts.
fn poisson_count(P: NeuronParams, q: u32, index: u32, step: u32) -> u32 {
  let pq = P.poisson[q];
  let used = poisson_table_word(P, q, 63u);
  if (used == 0u) {
    return knuth_count(pq.exp_neg_lambda, P.seed, pq.stream, index, step);
  }
  let u = rand_u32(P.seed, pq.stream, index, step);
  var lo = 0u;
  var hi = used - 1u;
  while (lo < hi) {
    let mid = (lo + hi) / 2u;
    if (poisson_table_word(P, q, mid) <= u) {
      lo = mid + 1u;
    } else {
      hi = mid;
    }
  }
  return lo;
}

// The Poisson inputs' arrivals at neuron i this step, per receptor.
fn poisson_arrivals(P: NeuronParams, i: u32, step: u32) -> array<f32, 4> {
  var extra = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var q = 0u; q < poisson_inputs(P); q = q + 1u) {
    let pq = P.poisson[q];
    extra[pq.receptor] = extra[pq.receptor] + f32(poisson_count(P, q, i, step)) * pq.weight;
  }
  return extra;
}

// One receptor's input this step: float (dense) part + fixed-point (sparse) part + Poisson part.
fn arriving_input(P: NeuronParams, input_float: f32, input_fixed: i32, extra: f32) -> f32 {
  var input = input_float + fixed_to_f32(input_fixed) * P.fixed_scale;
  if (poisson_inputs(P) > 0u) {
    input = input + extra;
  }
  return input;
}

// One step of one neuron. Order: (1) receptors: current adds to the input current, delta to a
// jump of v, exponential states jump and their pre-decay value drives this step; (2) if not
// refractory v jumps and integrates, the adaptation variable integrates even while refractory;
// (3) threshold, reset (with the adaptation jump), refractory countdown.
fn neuron_step(P: NeuronParams, state: NeuronState, input: array<f32, 4>, external_current: f32) -> NeuronStep {
  var out: NeuronStep;
  out.state = state;
  out.spiked = false;
  var current = external_current;
  var jump = 0.0;
  var syn_current = 0.0;
  var syn_exact = 0.0;
  var g_sum = 0.0;
  var g_rev = 0.0;
  for (var r = 0u; r < receptor_count(P); r = r + 1u) {
    let rc = P.receptors[r];
    let kind = receptor_kind(P, r);
    if (kind == 0u) {
      current = current + input[r];
    } else if (kind == 1u) {
      jump = jump + input[r];
    } else {
      let s = state.syn[r] + input[r];
      out.state.syn[r] = s * rc.decay;
      if (kind == 2u) {
        syn_current = syn_current + s;
        syn_exact = syn_exact + rc.coef * s;
      } else {
        g_sum = g_sum + s;
        g_rev = g_rev + s * rc.e_rev;
      }
    }
  }
  let has_exp_current = (flags_of(P) & 1u) != 0u;
  let has_conductance = (flags_of(P) & 2u) != 0u;
  var vi = state.v;
  var r = state.refractory;
  var u = 0.0;
  let adaptive = model_of(P) == 0u && (flags_of(P) & 4u) != 0u;
  var threshold = P.v_th;
  if (adaptive) {
    u = state.adapt * P.theta_decay;
    threshold = P.v_th + u;
  }
  if (model_of(P) != 0u) {
    u = state.adapt;
  }
  if (r == 0u) {
    vi = vi + jump;
  }
  if (model_of(P) != 0u) {
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
    if (model_of(P) == 1u) {
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
    if (mode_of(P) == 0u) {
      var drive = current;
      if (has_exp_current) {
        drive = drive + syn_current;
      }
      if (has_conductance) {
        drive = drive + (g_rev - g_sum * vi);
      }
      if ((flags_of(P) & 8u) != 0u) {
        vi = vi + drive * P.k;
      } else {
        vi = vi + ((P.v_rest - vi) + drive) * P.k;
      }
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
  // With an adaptive threshold only a neuron that entered the step non-refractory can spike
  // (CPU twin: src/ops/neuron/cpu.ts).
  if ((r == 0u || !adaptive) && vi >= threshold) {
    if ((flags_of(P) & 16u) != 0u) {
      vi = vi - (P.v_th - P.v_reset);
    } else {
      vi = P.v_reset;
    }
    u = u + P.adapt_jump;
    r = P.refractory_steps;
    out.spiked = true;
  }
  if (r > 0u) {
    r = r - 1u;
  }
  out.state.v = vi;
  out.state.refractory = r;
  out.state.adapt = u;
  return out;
}
