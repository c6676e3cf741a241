// Counter-based random numbers. CPU twin: src/util/rng.ts (pcgHash, randU32).
// PCG-RXS-M-XS hash (Jarzynski & Olano, JCGT 2020), chained once per key component.
fn pcg_hash(x: u32) -> u32 {
  let state = x * 747796405u + 2891336453u;
  let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
  return (word >> 22u) ^ word;
}

fn rand_u32(seed: u32, stream: u32, index: u32, step: u32) -> u32 {
  var h = pcg_hash(step);
  h = pcg_hash(h ^ index);
  h = pcg_hash(h ^ stream);
  return pcg_hash(h ^ seed);
}
