/**
 * Counter-based random numbers: a draw is a pure function of (seed, stream, index, step), so the
 * GPU kernels (shaders/util/rng.wgsl) and the CPU backend produce the same bits without sharing state.
 * The mixer is the PCG-RXS-M-XS hash (Jarzynski & Olano, "Hash Functions for GPU Rendering",
 * JCGT 2020), chained once per key component.
 */

/** One round of the PCG hash on a u32; mirrors `pcg_hash` in shaders/util/rng.wgsl. */
export function pcgHash(x: number): number {
  const state = (Math.imul(x >>> 0, 747796405) + 2891336453) >>> 0;
  const word = Math.imul(((state >>> ((state >>> 28) + 4)) ^ state) >>> 0, 277803737) >>> 0;
  return ((word >>> 22) ^ word) >>> 0;
}

/** The u32 draw for key (seed, stream, index, step); mirrors `rand_u32` in shaders/util/rng.wgsl. */
export function randU32(seed: number, stream: number, index: number, step: number): number {
  let h = pcgHash(step >>> 0);
  h = pcgHash((h ^ index) >>> 0);
  h = pcgHash((h ^ stream) >>> 0);
  return pcgHash((h ^ seed) >>> 0);
}

/** Uniform in [0, 1) with 32 random bits. */
export function randUniform(seed: number, stream: number, index: number, step: number): number {
  return randU32(seed, stream, index, step) / 4294967296;
}

/**
 * A sequential host-side generator on top of the counter hash, for building connectivity and
 * initial conditions: deterministic for a (seed, stream) pair and independent across streams.
 */
export class CounterRng {
  private counter = 0;
  private spareNormal: number | null = null;

  constructor(
    readonly seed: number,
    readonly stream: number,
  ) {}

  /** Uniform in [0, 1), never exactly 0 (safe for log). */
  uniform(): number {
    const lo = randU32(this.seed, this.stream, this.counter, 0);
    const hi = randU32(this.seed, this.stream, this.counter, 1);
    this.counter++;
    // 53 random bits, shifted off zero by half an ulp.
    return ((hi >>> 5) * 67108864 + (lo >>> 6) + 0.5) / 9007199254740992;
  }

  /** Integer uniform in [0, n), n <= 2^32, from one 32-bit draw (bias below n / 2^32). */
  int(n: number): number {
    return Math.floor((randU32(this.seed, this.stream, this.counter++, 2) / 4294967296) * n);
  }

  /** Standard normal draw (Box–Muller, both outputs used). */
  normal(): number {
    if (this.spareNormal !== null) {
      const z = this.spareNormal;
      this.spareNormal = null;
      return z;
    }
    const r = Math.sqrt(-2 * Math.log(this.uniform()));
    const phi = 2 * Math.PI * this.uniform();
    this.spareNormal = r * Math.sin(phi);
    return r * Math.cos(phi);
  }
}
