// A neuron layer's constants and its spike functions, shared by neuron_forward and
// neuron_backward. CPU twin: src/train/cpu/surrogate.ts, the same f32 operations in the same
// order, one rounding per operation (as SwiftShader compiles them; a compiler that fuses
// multiply-adds would round some of them once).
struct NeuronParams {
  outer: u32,
  steps: u32,
  inner: u32,
  static_input: u32,
  t0: u32,
  t1: u32,
  _p0: u32,
  _p1: u32,
}

// One layer's constants, f32-rounded on the host (NeuronConstants in src/train/backend.ts).
struct NeuronConstants {
  model: u32,     // 0 lif, 1 cuba-lif, 2 if, 3 li (NEURON_CODE)
  surrogate: u32, // 0 fast-sigmoid, 1 arctan, 2 triangle, 3 sigmoid (SURROGATE_CODE)
  flags: u32,     // 1: subtract reset (else zero), 2: smooth spikes, 4: detach reset
  _p0: u32,
  beta: f32,
  one_minus_beta: f32,
  alpha: f32,
  coef: f32,
  threshold: f32,
  k: f32,         // f32(scale)
  half_pi_k: f32, // f32(pi/2 * k)
  half_k: f32,    // f32(k / 2)
}

@group(0) @binding(0) var<uniform> P: NeuronParams;
@group(0) @binding(1) var<uniform> K: NeuronConstants;

// The smooth spike 1 / (1 + exp(-k u)) (exp is not correctly rounded: the one inexact step).
fn sigmoid_spike(u: f32) -> f32 {
  let e = exp(-(K.k * u));
  return 1.0 / (1.0 + e);
}

// The surrogate derivative g(u) of the spike function at u = v - threshold.
fn surrogate_grad(u: f32) -> f32 {
  switch K.surrogate {
    case 0u: { // fast sigmoid (SuperSpike)
      let q = 1.0 + K.k * abs(u);
      return 1.0 / (q * q);
    }
    case 1u: { // arctan
      let w = K.half_pi_k * u;
      return K.half_k / (1.0 + w * w);
    }
    case 2u: { // triangle
      return max(0.0, K.k * (1.0 - K.k * abs(u)));
    }
    default: { // sigmoid
      let sg = sigmoid_spike(u);
      return K.k * (sg * (1.0 - sg));
    }
  }
}

// Index of (o, t, i) in an [outer][T][inner] tensor, and of (o, i) in an [outer][inner] one.
fn seq_index(o: u32, t: u32, i: u32) -> u32 {
  return (o * P.steps + t) * P.inner + i;
}
