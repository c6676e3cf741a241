//! include util/common.wgsl
// One step of one converted-SNN stage for a batch of images: integrate-and-fire neurons fed by
// the spikes of their source. CPU twin: src/convert/snn-cpu.ts (runSnnCpu, the stage loop).
//
// One thread per (neuron, image): the current is the neuron's bias plus, for each entry of its
// CSC column in ascending input order, the entry's weight if that input spiked this step (the
// CPU's event-driven scatter adds the same weights in the same order; no products, so no fused
// multiply-add can change a bit). With constant-current input the first stage reads its
// host-computed current instead. Then v += current; v >= 1 spikes and resets (v - 1 or 0).
struct LayerParams {
  in_size: u32,
  out_size: u32,
  batch: u32,
  reset_zero: u32, // 1: reset to zero; 0: reset by subtraction
  use_drive: u32,  // 1: current = drive[image, neuron]
  src_pairs: u32, // 1: src holds (spiked, count) pairs (a stage's state); 0: one flag per input
  _p1: u32,
  _p2: u32,
}

@group(0) @binding(1) var<uniform> P: LayerParams;
@group(0) @binding(2) var<storage, read> col_ptr: array<u32>;
@group(0) @binding(3) var<storage, read> entries: array<vec2u>; // (input index, bitcast weight)
@group(0) @binding(4) var<storage, read> bias: array<f32>;
@group(0) @binding(5) var<storage, read> src: array<u32>;       // batch x in_size flags (or pairs)
@group(0) @binding(6) var<storage, read> drive: array<f32>;     // batch x out_size (use_drive)
@group(0) @binding(7) var<storage, read_write> v: array<f32>;
@group(0) @binding(8) var<storage, read_write> state: array<vec2u>; // (spiked this step, count)

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(global_invocation_id) gid: vec3u) {
  let o = gid.x;
  let b = gid.y;
  if (o >= P.out_size || b >= P.batch) {
    return;
  }
  let n = b * P.out_size + o;
  var acc: f32;
  if (P.use_drive != 0u) {
    acc = drive[n];
  } else {
    acc = bias[o];
    let base = b * P.in_size;
    let end = col_ptr[o + 1u];
    for (var j = col_ptr[o]; j < end; j = j + 1u) {
      let e = entries[j];
      let k = base + e.x;
      if (e.x < P.in_size && src[select(k, 2u * k, P.src_pairs != 0u)] != 0u) {
        acc = acc + bitcast<f32>(e.y);
      }
    }
  }
  var vv = v[n] + acc;
  var st = state[n];
  st.x = 0u;
  if (vv >= 1.0) {
    st.x = 1u;
    st.y = st.y + 1u;
    if (P.reset_zero != 0u) {
      vv = 0.0;
    } else {
      vv = vv - 1.0;
    }
  }
  v[n] = vv;
  state[n] = st;
}
