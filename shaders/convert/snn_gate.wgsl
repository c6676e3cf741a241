//! include util/common.wgsl
// Max-pooling spike gate of the converted SNN (Rueckauer et al. 2017, Sec. 2.2.3), one step for
// a batch of images. CPU twin: src/convert/snn-cpu.ts (gate).
//
// Each pooled unit passes this step's spike of the unit of its k x k window with the most spikes
// so far (this step's included); ties go to the first in row-major order.
struct GateParams {
  c: u32,
  h: u32,
  w: u32,
  k: u32,
  batch: u32,
  src_stride: u32, // elements per image in the source; the source is (spiked, count) pairs when
  pairs: u32,      // pairs = 1 (a stage's state), or separate spike and count arrays when 0
  _p0: u32,
}

@group(0) @binding(1) var<uniform> P: GateParams;
@group(0) @binding(2) var<storage, read> src_spikes: array<u32>; // pairs: (spiked, count) interleaved
@group(0) @binding(3) var<storage, read> src_counts: array<u32>; // pairs = 0 only
@group(0) @binding(4) var<storage, read_write> out_spikes: array<u32>;
@group(0) @binding(5) var<storage, read_write> passed: array<u32>;

fn spike_at(i: u32) -> u32 {
  if (P.pairs != 0u) {
    return src_spikes[2u * i];
  }
  return src_spikes[i];
}

fn count_at(i: u32) -> u32 {
  if (P.pairs != 0u) {
    return src_spikes[2u * i + 1u];
  }
  return src_counts[i];
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let oh = P.h / P.k;
  let ow = P.w / P.k;
  let units = P.c * oh * ow;
  let u = gid.x;
  let b = gid.y;
  if (u >= units || b >= P.batch) {
    return;
  }
  let ch = u / (oh * ow);
  let oy = (u / ow) % oh;
  let ox = u % ow;
  let base = b * P.src_stride;
  var best = base + (ch * P.h + oy * P.k) * P.w + ox * P.k;
  for (var dy = 0u; dy < P.k; dy = dy + 1u) {
    for (var dx = 0u; dx < P.k; dx = dx + 1u) {
      let i = base + (ch * P.h + oy * P.k + dy) * P.w + ox * P.k + dx;
      if (count_at(i) > count_at(best)) {
        best = i;
      }
    }
  }
  let s = spike_at(best);
  let n = b * units + u;
  out_spikes[n] = s;
  passed[n] = passed[n] + s;
}
