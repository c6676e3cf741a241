//! include util/common.wgsl
//! include util/rng.wgsl
//! include ops/sparse/spike_list.wgsl
// Procedural connectivity: no synapse is stored. CPU twin: src/ops/procedural/cpu.ts
// (proceduralPropagate), whose row walk (src/ops/procedural/rows.ts) defines the network.
// For every presynaptic neuron j that spiked `delay` steps ago (compacted per workgroup by
// spike_list.wgsl), the row is regenerated segment by segment: segment s (PROCEDURAL_SEGMENT
// targets) has the key rand_u32(seed, stream, j, s), which seeds a PCG32-style stream; each draw
// is the gap to the next target, read off the projection's gap table (an inverse geometric CDF,
// integers only, so every adapter and the CPU agree bit for bit). Each block of presynaptic
// neurons has row_slices workgroups, which list its spikes and take interleaved shares of the
// listed spikes' (spike, segment) pairs, so a row is walked by many threads at once.
// Every synapse has the one fixed-point weight, added with atomicAdd (order-free).

// Both are part of the connectivity definition; src/ops/procedural/rows.ts has the same values.
const PROCEDURAL_SEGMENT: u32 = 64u;
const GAP_TABLE_LENGTH: u32 = 64u;

// One procedural projection of the dispatch's group (the host's table, src/ops/procedural/gpu.ts).
struct ProceduralScalars {
  n_pre: u32,
  pre_words: u32,
  delay: u32,
  target_offset: u32, // receptor * n_post
  slot_stride: u32,   // receptors * n_post
  input_slots: u32,
  n_post: u32,
  cut24: u32,
  weight: i32,
  no_self: u32,
  seed: u32,
  stream: u32,
  row_slices: u32,    // workgroups per 2048-neuron block, each taking every row_slices-th pair
  ring_base: u32,     // word where the presynaptic ring starts in `rings`
  first_group: u32,   // the projection's workgroups are [first_group, end_group) of the dispatch
  end_group: u32,
}

struct ProceduralProjection {
  s: ProceduralScalars,
  gap_table: array<u32, GAP_TABLE_LENGTH>,
}

// Every procedural projection into one target population, one dispatch for all of them: each
// workgroup finds its projection by its range of workgroups. Where the presynaptic rings do not
// share one buffer (the ring arena, src/engine/gpu/per-kernel-network.ts) the group is one projection.
@group(0) @binding(1) var<storage, read> projections: array<ProceduralProjection>;
@group(0) @binding(2) var<storage, read> rings: array<u32>;
@group(0) @binding(3) var<storage, read_write> input_fixed: array<atomic<i32>>;

// The workgroup's projection and its scalars (the same in every invocation of it), for
// walk_segment and load_gap_table.
var<private> P: ProceduralScalars;
var<private> projection: u32;

// The gap table in workgroup memory: the search's lanes read different entries, which one
// address at a time would serialise.
var<workgroup> gap_table: array<u32, GAP_TABLE_LENGTH>;

fn spike_word(index: u32) -> u32 { return rings[index]; }

// Copies the gap table into workgroup memory; a workgroupBarrier must follow before walk_segment.
fn load_gap_table(lid: u32) {
  for (var k = lid; k < GAP_TABLE_LENGTH; k = k + WORKGROUP_SIZE) {
    gap_table[k] = projections[projection].gap_table[k];
  }
}

// The smallest g with u <= gap_table[g], or GAP_TABLE_LENGTH when u is above every entry
// (rows.ts gapOf: the same fixed-step binary search).
fn gap_of(u: u32) -> u32 {
  if (u > gap_table[GAP_TABLE_LENGTH - 1u]) {
    return GAP_TABLE_LENGTH;
  }
  var g = 0u;
  for (var half = GAP_TABLE_LENGTH / 2u; half > 0u; half = half / 2u) {
    if (gap_table[g + half - 1u] < u) {
      g = g + half;
    }
  }
  return g;
}

// PCG's RXS-M-XS output permutation (pcg_hash is this of one LCG step).
fn gap_stream_output(state: u32) -> u32 {
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

// Delivers segment `segment` of row j into input_fixed from `base` (rows.ts walkSegment).
fn walk_segment(j: u32, segment: u32, base: u32) {
  let end = min((segment + 1u) * PROCEDURAL_SEGMENT, P.n_post);
  var pos = segment * PROCEDURAL_SEGMENT;
  var state = rand_u32(P.seed, P.stream, j, segment);
  while (pos < end) {
    state = state * 747796405u + 2891336453u;
    let gap = gap_of(gap_stream_output(state));
    if (gap == GAP_TABLE_LENGTH) {
      pos = pos + GAP_TABLE_LENGTH; // no target among the next L: skip them, draw again
      continue;
    }
    pos = pos + gap;
    if (pos >= end) {
      break;
    }
    if (P.no_self == 0u || pos != j) {
      atomicAdd(&input_fixed[base + pos], P.weight);
    }
    pos = pos + 1u;
  }
}

// The projection whose workgroups include `group`: few per target (at most 8 in the
// microcircuit), so a scan. Read-only storage at a uniform index: uniform, as barriers need.
fn projection_of(group: u32) -> u32 {
  let last = arrayLength(&projections) - 1u;
  var k = 0u;
  while (k < last && group >= projections[k].s.end_group) {
    k = k + 1u;
  }
  return k;
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(workgroup_id) wid: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  batch_offset = wid.z;
  let group = flat_group(wid, nwg);
  let k = projection_of(group);
  let s = projections[k].s;
  if (group >= s.end_group) {
    return; // a spare workgroup of a 2D grid
  }
  projection = k;
  P = s;
  let local = group - s.first_group;
  let block = local / s.row_slices;
  load_gap_table(lid);
  workgroupBarrier();
  let count = list_spikes(s.ring_base, s.n_pre, s.pre_words, delayed_slot(s.delay), block, lid);
  let base = (current_step() % s.input_slots) * s.slot_stride + s.target_offset;
  let segments = (s.n_post + PROCEDURAL_SEGMENT - 1u) / PROCEDURAL_SEGMENT;
  for (var pair = (local % s.row_slices) * WORKGROUP_SIZE + lid; pair < count * segments; pair = pair + s.row_slices * WORKGROUP_SIZE) {
    walk_segment(spiking[pair / segments], pair % segments, base);
  }
}
