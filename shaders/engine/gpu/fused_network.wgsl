//! include util/common.wgsl
//! include ops/neuron/neuron_step.wgsl
//! include ops/poisson/poisson_bits.wgsl
//! include ops/sparse/spike_list.wgsl
//! include ops/sparse/csr_scatter.wgsl
// The whole network, many steps per dispatch: ONE workgroup runs the `step_record.local_step`
// steps starting at step `step_record.step` (ring slot `step_record.slot`), for every population
// and projection, with barriers between the phases of a step. A chunk may be cut into several
// such dispatches, so that one stays within a watchdog-safe time (src/engine/gpu/path-cost.ts).
// For networks that fit one workgroup's reach (src/engine/gpu/fused-eligibility.ts): CSR
// projections with delay >= 1, Poisson or host spike sources. The math is shared with the
// per-kernel path: neuron_step.wgsl, poisson_bits.wgsl and spike_list.wgsl, and the synapse
// arithmetic of csr_scatter.wgsl, so results are bit for bit those of the CPU twin
// (src/engine/cpu/cpu-simulation.ts) and of the one-dispatch-per-kernel path.
//
// Arenas (the host builds them in src/engine/gpu/fused-layout.ts; offsets are in 4-byte words):
//   population_table  count, then a FusedPopulation per population (id order)
//   projection_table  count, then a FusedProjection per projection, in runs that share a
//                     presynaptic population and delay; the count is explicit because a binding
//                     holds at least one record even when there is none
//   consts       read-only u32: per projection row_ptr [n_pre + 1], cols [S], weights [S] (i32
//                bits), per-synapse delays [S] if any; per Poisson source thresholds [n]; per
//                voltage monitor the monitored indices
//   state        per neuron population at `state`: v [n] (f32 bits), refractory [n], adapt [n]
//                (f32, Izhikevich u / AdEx w), external current [n] (f32, written by the host at
//                change steps), receptor states [receptor * n + i] (f32)
//   ring         per population at `ring`: ring_len spike bitmasks of `words` words
//   input_fixed  per neuron population at `input`: [(slot * receptors + r) * n + i], fixed point
//   trace        per voltage monitor at `trace`: [slot * monitored + k] (f32), a ring like `ring`
//
// A step: (1) Poisson sources write their bitmask of the step; host sources' bitmasks are already
// in the ring (written before the dispatch); (2) per run of projections with one presynaptic
// population and delay, block by block, the spikes of `delay` steps ago (>= 1: emitted in an
// earlier step, so complete) are listed ONCE and the rows of every projection of the run are
// walked by lane groups; (3) every neuron population consumes its input, updates, and writes its
// bitmask; (4) voltage monitors copy potentials into the trace.
// storageBarrier() separates the phases (one workgroup: it orders every storage access the next
// phase depends on); workgroupBarrier() guards the workgroup lists inside phases 2 and 3.
struct FusedPopulation {
  kind: u32,            // 0 neuron, 1 Poisson source, 2 host source
  n: u32,
  words: u32,
  ring: u32,
  state: u32,
  input: u32,
  thresholds: u32,      // Poisson sources: where their thresholds start in consts
  stream: u32,          // Poisson sources: RNG stream
  seed: u32,
  monitored: u32,       // voltage-monitored neurons (0: none)
  monitor_indices: u32, // where their indices start in consts
  trace: u32,
  neuron: NeuronParams,    // neuron populations only
}

struct FusedProjection {
  pre: u32,
  post: u32,
  delay: u32,
  run: u32,             // first of a run: the projections (this one on) that share its spike list; else 0
  scatter: CsrScatter,  // `slot` is filled in per step
}

struct PopulationTable {
  count: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
  items: array<FusedPopulation>,
}

struct ProjectionTable {
  count: u32,
  _p0: u32,
  _p1: u32,
  _p2: u32,
  items: array<FusedProjection>,
}

@group(0) @binding(1) var<storage, read> population_table: PopulationTable;
@group(0) @binding(2) var<storage, read> projection_table: ProjectionTable;
@group(0) @binding(3) var<storage, read> consts: array<u32>;
@group(0) @binding(4) var<storage, read_write> state: array<u32>;
@group(0) @binding(5) var<storage, read_write> ring: array<u32>;
@group(0) @binding(6) var<storage, read_write> input_fixed: array<atomic<i32>>;
@group(0) @binding(7) var<storage, read_write> trace: array<f32>;

var<workgroup> word_bits: array<atomic<u32>, WORKGROUP_SIZE / 32u>;

// Hooks of the shared snippets: every index is absolute in its arena.
fn spike_word(index: u32) -> u32 { return ring[index]; }
fn csr_row_ptr(index: u32) -> u32 { return consts[index]; }
fn csr_col(index: u32) -> u32 { return consts[index]; }
fn csr_weight(index: u32) -> i32 { return bitcast<i32>(consts[index]); }
fn csr_delay(index: u32) -> u32 { return consts[index]; }
fn add_fixed_input(index: u32, w: i32) { atomicAdd(&input_fixed[index], w); }
fn poisson_threshold(index: u32) -> u32 { return consts[index]; }

// Table counts bounded by what the bindings hold: a corrupt table cannot run a loop past its
// records (out-of-range reads would be clamped, but a huge count would spin for a long time).
fn population_count() -> u32 { return min(population_table.count, arrayLength(&population_table.items)); }
fn projection_count() -> u32 { return min(projection_table.count, arrayLength(&projection_table.items)); }

// Phase 1: Poisson sources, one thread per bitmask word.
fn emit_sources(t: u32, slot: u32, lid: u32) {
  for (var q = 0u; q < population_count(); q = q + 1u) {
    if (population_table.items[q].kind != 1u) {
      continue;
    }
    let n = population_table.items[q].n;
    let words = population_table.items[q].words;
    let base = population_table.items[q].ring + slot * words;
    for (var w = lid; w < words; w = w + WORKGROUP_SIZE) {
      ring[base + w] = poisson_word(population_table.items[q].seed, population_table.items[q].stream, n, w, t, population_table.items[q].thresholds);
    }
  }
}

// Lanes that walk one listed row together, at least: a subgroup on most GPUs, so their loads of
// consecutive synapses coalesce and several rows are walked at once.
const ROW_LANES: u32 = 32u;

// Phase 2: per run of projections sharing a presynaptic population and delay, 2048 presynaptic
// neurons (one spike list) at a time: the list is made once and serves every projection of the run.
fn propagate(t: u32, slot: u32, lid: u32) {
  let count = projection_count();
  var k = 0u;
  loop {
    if (k >= count) {
      break;
    }
    // A corrupt run length cannot stall the loop or run past the table.
    let run = clamp(projection_table.items[k].run, 1u, count - k);
    let pre = projection_table.items[k].pre;
    let n_pre = population_table.items[pre].n;
    let pre_words = population_table.items[pre].words;
    let pre_slot = (slot + step_record.ring_len - projection_table.items[k].delay) % step_record.ring_len;
    let blocks = (pre_words + WORDS_PER_GROUP - 1u) / WORDS_PER_GROUP;
    for (var b = 0u; b < blocks; b = b + 1u) {
      let listed = list_spikes(population_table.items[pre].ring, n_pre, pre_words, pre_slot, b, lid);
      walk_listed_rows(k, run, t, listed, lid);
    }
    k = k + run;
  }
}

// The rows of the `listed` spikes, for each of projections [first, first + run): `run * listed`
// rows, dealt round-robin to groups of lanes. Groups are ROW_LANES wide while there are rows for
// all of them; fewer rows get wider groups (all threads between them), so a lone long row is still
// walked by the whole workgroup. `listed` is uniform, so every thread agrees on the grouping.
fn walk_listed_rows(first: u32, run: u32, t: u32, listed: u32, lid: u32) {
  let rows = run * listed;
  let groups = clamp(rows, 1u, WORKGROUP_SIZE / ROW_LANES);
  let lanes = WORKGROUP_SIZE / groups;
  let lane = lid % lanes;
  for (var item = lid / lanes; item < rows; item = item + groups) {
    var c = projection_table.items[first + item / listed].scatter;
    c.slot = t % c.input_slots;
    scatter_row(c, spiking[item % listed], lane, lanes);
  }
}

// One neuron of phase 3: gathers its input and state from the arenas, steps, writes them back.
fn update_neuron(P: NeuronParams, q: u32, i: u32, t: u32) -> bool {
  let n = P.n;
  let s0 = population_table.items[q].state;
  let input_start = population_table.items[q].input + (t % P.input_slots) * P.n_receptors * n;
  let extra = poisson_arrivals(P, i, t);
  var st: NeuronState;
  var input = array<f32, 4>(0.0, 0.0, 0.0, 0.0);
  for (var r = 0u; r < min(P.n_receptors, 4u); r = r + 1u) {
    let in_idx = input_start + r * n + i;
    // No dense projections here: the float (dense) part of the input is always 0.
    input[r] = arriving_input(P, 0.0, atomicLoad(&input_fixed[in_idx]), extra[r]);
    atomicStore(&input_fixed[in_idx], 0);
    st.syn[r] = bitcast<f32>(state[s0 + (4u + r) * n + i]);
  }
  st.v = bitcast<f32>(state[s0 + i]);
  st.refractory = state[s0 + n + i];
  if (P.model != 0u) {
    st.adapt = bitcast<f32>(state[s0 + 2u * n + i]);
  }
  let next = neuron_step(P, st, input, bitcast<f32>(state[s0 + 3u * n + i]));
  for (var r = 0u; r < min(P.n_receptors, 4u); r = r + 1u) {
    if (P.receptors[r].kind >= 2u) {
      state[s0 + (4u + r) * n + i] = bitcast<u32>(next.state.syn[r]);
    }
  }
  state[s0 + i] = bitcast<u32>(next.state.v);
  state[s0 + n + i] = next.state.refractory;
  if (P.model != 0u) {
    state[s0 + 2u * n + i] = bitcast<u32>(next.state.adapt);
  }
  return next.spiked;
}

// Phase 3: neuron populations, WORKGROUP_SIZE neurons at a time; the workgroup assembles their
// bitmask words in workgroup memory and writes them whole, as neuron_update does.
fn update_neurons(t: u32, slot: u32, lid: u32) {
  for (var q = 0u; q < population_count(); q = q + 1u) {
    if (population_table.items[q].kind != 0u) {
      continue;
    }
    let P = population_table.items[q].neuron;
    let n = population_table.items[q].n;
    let words = population_table.items[q].words;
    let ring_at = population_table.items[q].ring + slot * words;
    for (var first = 0u; first < n; first = first + WORKGROUP_SIZE) {
      if (lid < WORKGROUP_SIZE / 32u) {
        atomicStore(&word_bits[lid], 0u);
      }
      workgroupBarrier();
      let i = first + lid;
      if (i < n && update_neuron(P, q, i, t)) {
        atomicOr(&word_bits[lid / 32u], 1u << (lid % 32u));
      }
      workgroupBarrier();
      // The thread that clears word lid next round is the one reading it now: no third barrier.
      let w = first / 32u + lid;
      if (lid < WORKGROUP_SIZE / 32u && w < words) {
        ring[ring_at + w] = atomicLoad(&word_bits[lid]);
      }
    }
  }
}

// Phase 4: voltage monitors, into the trace ring's slot of the step.
fn record_voltages(slot: u32, lid: u32) {
  for (var q = 0u; q < population_count(); q = q + 1u) {
    let m = population_table.items[q].monitored;
    for (var k = lid; k < m; k = k + WORKGROUP_SIZE) {
      let i = consts[population_table.items[q].monitor_indices + k];
      trace[population_table.items[q].trace + slot * m + k] = bitcast<f32>(state[population_table.items[q].state + i]);
    }
  }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn main(@builtin(local_invocation_index) lid: u32) {
  for (var s = 0u; s < step_record.local_step; s = s + 1u) {
    let t = step_record.step + s;
    let slot = (step_record.slot + s) % step_record.ring_len;
    emit_sources(t, slot, lid);
    storageBarrier();
    propagate(t, slot, lid);
    storageBarrier();
    update_neurons(t, slot, lid);
    storageBarrier();
    record_voltages(slot, lid);
    // The next step's first two barriers order these reads of v before its neuron updates.
  }
}
