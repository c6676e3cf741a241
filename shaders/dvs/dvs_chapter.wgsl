//! include util/common.wgsl
// The chapter's simulate_dvs_output on the GPU, one thread per 32-pixel bitmask word of one frame
// pair. CPU twin: src/dvs/chapter.ts (simulateDvsOutput); host side: src/dvs/gpu-chapter.ts.
// The chapter decides in float64; f32 and WGSL's log (not correctly rounded) cannot reproduce
// every decision, so each decision is made only where it is certain: with d = log(a + 1e-6) -
// log(b + 1e-6) in f32, ON is certain when d > thr + margin, certainly absent when d < thr - margin,
// and likewise for OFF; pixels in between (and inputs beyond f32's comfortable range) get their
// bit in the `ambiguous` mask and the host decides them in float64. The margin (1e-4 per unit of
// |log a| + |log b| + 1) is far above f32 rounding plus WGSL's log error (a few ulp).
struct ChapterParams {
  n: u32,
  words: u32,
  pairs: u32,
  _pad: u32,
  threshold: f32,
  margin: f32,
  _pad2: u32,
  _pad3: u32,
}

@group(0) @binding(1) var<uniform> P: ChapterParams;
@group(0) @binding(2) var<storage, read> frames: array<f32>;
@group(0) @binding(3) var<storage, read_write> masks: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let w = gid.x;
  let f = gid.y;
  if (w >= P.words || f >= P.pairs) {
    return;
  }
  var on = 0u;
  var off = 0u;
  var amb = 0u;
  let end = min(32u, P.n - w * 32u);
  for (var b = 0u; b < end; b = b + 1u) {
    let i = w * 32u + b;
    let prev = frames[f * P.n + i];
    let cur = frames[(f + 1u) * P.n + i];
    let bit = 1u << b;
    if (!(prev < 1e30 && cur < 1e30)) {
      amb = amb | bit;
      continue;
    }
    let lc = log(cur + 1e-6);
    let lp = log(prev + 1e-6);
    let d = lc - lp;
    let m = P.margin * ((abs(lc) + abs(lp)) + 1.0);
    let thr = P.threshold;
    if (d > thr + m) {
      on = on | bit;
    } else if (d >= thr - m) {
      amb = amb | bit;
    }
    if (d < -thr - m) {
      off = off | bit;
    } else if (d <= -thr + m) {
      amb = amb | bit;
    }
  }
  let base = 3u * (f * P.words + w);
  masks[base] = on;
  masks[base + 1u] = off;
  masks[base + 2u] = amb;
}
