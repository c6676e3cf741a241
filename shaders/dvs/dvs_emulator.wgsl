//! include util/common.wgsl
//! include util/rng.wgsl
// The realistic DVS pixel model: one dispatch per frame interval, each thread taking up to
// PIXELS_PER_THREAD pixels (below).
// CPU twin: src/dvs/emulator.ts (pixelInterval), same f32 operations in the same order; the model
// is described there. Binding 0 (common.wgsl's step record) carries in `step` the interval's
// index inside the batch, which selects its IntervalParams.
// Each pixel runs its interval to count its events (keeping the first 16 and its final state in
// private memory), reserves room in the event list with one atomicAdd, then writes them and its
// state; a pixel with more than 16 events runs the interval again to write them. If the list is full the pixel writes
// nothing; the host sees count > capacity, restores the batch's saved state and runs it again.
struct DvsParams {
  n: u32,
  capacity: u32,
  seed: u32,
  refractory_us: u32,
  has_filter: u32,
  has_leak: u32,
  has_shot: u32,
  _pad: u32,
}

struct IntervalParams {
  t_prev: u32,
  T: u32,
  inv_t: f32,
  leak_step: f32,
  exp_neg_shot: f32,
  index: u32,
  frame_offset: u32, // where this interval's prepared frame starts in `frames` (in f32s)
  _pad: u32,
}

const STREAM_SHOT_COUNT: u32 = 0x44560100u;
const STREAM_SHOT_TIME: u32 = 0x44560200u;
const MAX_SHOT_EVENTS: u32 = 63u;

@group(0) @binding(1) var<uniform> P: DvsParams;
@group(0) @binding(2) var<storage, read> intervals: array<IntervalParams>;
@group(0) @binding(3) var<storage, read> thresholds: array<f32>;
@group(0) @binding(4) var<storage, read> frames: array<f32>;
@group(0) @binding(5) var<storage, read_write> state: array<u32>; // per pixel: lp, r (f32 bits), hold
@group(0) @binding(6) var<storage, read_write> events: array<u32>; // (pixel, t, polarity) triples
@group(0) @binding(7) var<storage, read_write> counter: array<atomic<u32>>;

fn at(lprev: f32, slope: f32, u: u32) -> f32 {
  return lprev + slope * f32(u);
}

// The counting run keeps a pixel's first LOCAL_EVENTS events and its final state here, so a
// pixel with few events (nearly all of them) is written without running its interval again.
const LOCAL_EVENTS: u32 = 16u;
var<private> local_t: array<u32, 16>;
var<private> local_p: array<u32, 16>;
var<private> final_lp: f32;
var<private> final_r: f32;
var<private> final_hold: u32;

fn emit(write: bool, slot: u32, k: u32, pixel: u32, t: u32, pol: u32) {
  if (write) {
    events[3u * slot] = pixel;
    events[3u * slot + 1u] = t;
    events[3u * slot + 2u] = pol;
  } else if (k < LOCAL_EVENTS) {
    local_t[k] = t;
    local_p[k] = pol;
  }
}

// Runs pixel i over interval c; writes events from `base` and commits state when `write`.
fn process_pixel(i: u32, c: IntervalParams, write: bool, base: u32) -> u32 {
  var count = 0u;
  let th_on = thresholds[2u * i];
  let th_off = thresholds[2u * i + 1u];
  let lprev = bitcast<f32>(state[3u * i]);
  let lin = frames[c.frame_offset + 2u * i];
  let alpha = frames[c.frame_offset + 2u * i + 1u];
  var lnew = lin;
  if (P.has_filter != 0u) {
    lnew = lprev + alpha * (lin - lprev);
  }
  // Leak as a drift of the signal against a fixed reference, shifted back at the end (see the twin).
  var ls = 0.0;
  if (P.has_leak != 0u) {
    ls = th_on * c.leak_step;
  }
  let slope = ((lnew - lprev) + ls) * c.inv_t;
  let T = c.T;
  var r = bitcast<f32>(state[3u * i + 1u]);
  var u = 1u;
  let hold = state[3u * i + 2u];
  var new_hold = hold;
  if (hold > c.t_prev) {
    let h = hold - c.t_prev;
    if (h > T) {
      r = at(lprev, slope, T);
      u = T + 1u;
    } else {
      r = at(lprev, slope, h);
      u = h;
    }
  }
  let refr = P.refractory_us;
  loop {
    if (u > T) {
      break;
    }
    let lu = at(lprev, slope, u);
    var pol = 2u;
    if (lu - r >= th_on) {
      pol = 1u;
      r = r + th_on;
    } else if (r - lu >= th_off) {
      pol = 0u;
      r = r - th_off;
    }
    if (pol != 2u) {
      emit(write, base + count, count, i, c.t_prev + u, pol);
      count = count + 1u;
      if (refr > 0u) {
        let he = u + refr;
        new_hold = c.t_prev + he;
        if (he > T) {
          r = at(lprev, slope, T);
          break;
        }
        r = at(lprev, slope, he);
        u = he;
      }
      continue;
    }
    var g = 0u;
    if (slope > 0.0) {
      let target_l = r + th_on;
      let q = (target_l - lprev) / slope;
      if (!(q < f32(T))) {
        g = T;
      } else {
        g = max(u + 1u, u32(max(ceil(q), 0.0)));
      }
      loop {
        if (!(g > u + 1u && at(lprev, slope, g - 1u) - r >= th_on)) {
          break;
        }
        g = g - 1u;
      }
      loop {
        if (!(g <= T && !(at(lprev, slope, g) - r >= th_on))) {
          break;
        }
        g = g + 1u;
      }
    } else if (slope < 0.0) {
      let target_l = r - th_off;
      let q = (target_l - lprev) / slope;
      if (!(q < f32(T))) {
        g = T;
      } else {
        g = max(u + 1u, u32(max(ceil(q), 0.0)));
      }
      loop {
        if (!(g > u + 1u && r - at(lprev, slope, g - 1u) >= th_off)) {
          break;
        }
        g = g - 1u;
      }
      loop {
        if (!(g <= T && !(r - at(lprev, slope, g) >= th_off))) {
          break;
        }
        g = g + 1u;
      }
    } else {
      break;
    }
    if (g > T) {
      break;
    }
    u = g;
  }
  if (P.has_leak != 0u) {
    r = r - ls;
  }
  final_lp = lnew;
  final_r = r;
  final_hold = new_hold;
  if (write) {
    state[3u * i] = bitcast<u32>(lnew);
    state[3u * i + 1u] = bitcast<u32>(r);
    state[3u * i + 2u] = new_hold;
  }
  if (P.has_shot != 0u) {
    var k = 0u;
    var prod = 1.0;
    loop {
      if (k >= MAX_SHOT_EVENTS) {
        break;
      }
      prod = prod * (f32(rand_u32(P.seed, STREAM_SHOT_COUNT + k, i, c.index) >> 8u) * 5.9604644775390625e-8);
      if (prod <= c.exp_neg_shot) {
        break;
      }
      k = k + 1u;
    }
    for (var j = 0u; j < k; j = j + 1u) {
      let bits = rand_u32(P.seed, STREAM_SHOT_TIME + j, i, c.index);
      let x = (f32(bits >> 8u) * 5.9604644775390625e-8) * f32(T);
      emit(write, base + count, count, i, c.t_prev + min(T, 1u + u32(floor(x))), bits & 1u);
      count = count + 1u;
    }
  }
  return count;
}

// Pixels per invocation (measured on SwiftShader: 15 % faster than one): thread t takes pixels
// t, t + threads, t + 2 threads, ... so neighbouring threads still read neighbouring pixels. The
// host dispatches at least ceil(n / PIXELS_PER_THREAD) threads.
const PIXELS_PER_THREAD: u32 = 8u;

fn run_pixel(i: u32, c: IntervalParams) {
  let count = process_pixel(i, c, false, 0u);
  var base = 0u;
  if (count > 0u) {
    base = atomicAdd(&counter[0], count);
  }
  if (base + count > P.capacity) {
    return;
  }
  if (count <= LOCAL_EVENTS) {
    for (var k = 0u; k < count; k = k + 1u) {
      let slot = base + k;
      events[3u * slot] = i;
      events[3u * slot + 1u] = local_t[k];
      events[3u * slot + 2u] = local_p[k];
    }
    state[3u * i] = bitcast<u32>(final_lp);
    state[3u * i + 1u] = bitcast<u32>(final_r);
    state[3u * i + 2u] = final_hold;
  } else {
    process_pixel(i, c, true, base);
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let thread = flat_group(wid, nwg) * WORKGROUP_SIZE + lid;
  let threads = nwg.x * nwg.y * WORKGROUP_SIZE;
  let c = intervals[step_record.step];
  for (var j = 0u; j < PIXELS_PER_THREAD; j = j + 1u) {
    let i = j * threads + thread;
    if (i >= P.n) {
      return;
    }
    run_pixel(i, c);
  }
}
