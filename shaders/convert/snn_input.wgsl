//! include util/common.wgsl
//! include util/rng.wgsl
// Poisson rate code of the converted SNN's input, one step for a batch of images. CPU twin:
// src/convert/snn-cpu.ts (runSnnCpu, the input loop).
//
// Pixel i of image b spikes at step t when the top 24 bits of
// rand_u32(seed, POISSON_STREAM, (first_image + b) * in_size + i, t) are below its threshold
// round(x * 2^24); a zero threshold never spikes and skips the draw.
struct InputParams {
  in_size: u32,
  batch: u32,
  seed: u32,
  first_image: u32,
}

const POISSON_STREAM: u32 = 0x5e1u;

@group(0) @binding(1) var<uniform> P: InputParams;
@group(0) @binding(2) var<storage, read> thresholds: array<u32>; // batch x in_size
@group(0) @binding(3) var<storage, read_write> spikes: array<u32>;
@group(0) @binding(4) var<storage, read_write> counts: array<u32>;

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let i = gid.x;
  let b = gid.y;
  if (i >= P.in_size || b >= P.batch) {
    return;
  }
  let n = b * P.in_size + i;
  let thr = thresholds[n];
  var s = 0u;
  if (thr != 0u) {
    let r = rand_u32(P.seed, POISSON_STREAM, (P.first_image + b) * P.in_size + i, step_record.step);
    if ((r >> 8u) < thr) {
      s = 1u;
      counts[n] = counts[n] + 1u;
    }
  }
  spikes[n] = s;
}
