/**
 * GPU = CPU on the adapter at hand, without vitest: built into dist/node/gpu-parity.js so that the
 * GPU kit (bench/gpu-kit.sh, bench/gpu-bundle.sh) can check a real GPU where only Node runs.
 *
 *   node dist/node/gpu-parity.js [--quick] [--budget-s=150] [--only=NAME,...]
 *
 * Every kernel family (the engine's, then the crossbar, coding, conversion and DVS libraries') runs
 * on small inputs on the CPU twin and on the GPU. Per family it prints whether spikes (events,
 * counts) are identical and the largest difference of potentials (outputs, weights, device states)
 * in float32 ulps: one JSON line on stdout as each family ends, progress on stderr, then a Markdown
 * table. Exactness is proven on SwiftShader; a real GPU's compiler may fuse a*b + c into an FMA
 * (docs/RELIABILITY.md), which shows here as ulps.
 *
 * A family starts only while the budget lasts; those left are reported as skipped.
 * Exit status: 0 every family ran and agrees bit for bit; 1 one differs or failed; 3 all that ran
 * agree but some were skipped; 2 bad arguments.
 */
import { acquireGpu } from '../src/index.js';
import { agrees, type Comparison, type ParityFamily } from './gpu-parity/compare.js';
import { ENGINE_FAMILIES } from './gpu-parity/engine-families.js';
import { FEATURE_FAMILIES } from './gpu-parity/feature-families.js';
import { markdownTable } from './format.js';

const FAMILIES: ParityFamily[] = [...ENGINE_FAMILIES, ...FEATURE_FAMILIES];

class UsageError extends Error {}

interface Options {
  quick: boolean;
  budgetS: number;
  only: string[] | null;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { quick: false, budgetS: 150, only: null };
  for (const a of argv) {
    const [key, value] = a.split('=', 2);
    if (a === '--quick') o.quick = true;
    else if (key === '--budget-s') {
      if (!(Number(value) > 0)) throw new UsageError(`gpu-parity: --budget-s must be a number of seconds > 0, got ${JSON.stringify(value ?? '')}`);
      o.budgetS = Number(value);
    }
    else if (key === '--only' && value) o.only = value.split(',');
    else throw new UsageError(`gpu-parity: bad argument ${a}`);
  }
  const unknown = (o.only ?? []).filter((n) => !FAMILIES.some((f) => f.name === n));
  if (unknown.length > 0) throw new UsageError(`gpu-parity: no family named ${unknown.join(', ')}; families: ${FAMILIES.map((f) => f.name).join('; ')}`);
  return o;
}

type Outcome = { family: ParityFamily; seconds: number } & ({ status: 'ran'; result: Comparison } | { status: 'failed'; error: string } | { status: 'skipped' });

function verdict(o: Outcome): string {
  if (o.status === 'skipped') return 'skipped (budget)';
  if (o.status === 'failed') return `ERROR: ${o.error}`;
  return agrees(o.result) ? 'agrees' : `DIFFERS: ${o.result.notes.slice(0, 3).join('; ')}`;
}

function row(o: Outcome, adapter: string): Record<string, string | number | boolean | null> {
  const r = o.status === 'ran' ? o.result : null;
  return {
    bench: 'gpu-parity',
    family: o.family.name,
    kernels: o.family.kernels,
    adapter,
    status: o.status,
    identical_spikes: r ? r.identical : null,
    max_ulps: r ? (Number.isFinite(r.maxUlps) ? r.maxUlps : 'Infinity') : null,
    events: r ? r.events : null,
    agrees: r ? agrees(r) : false,
    seconds: Number(o.seconds.toFixed(2)),
    error: o.status === 'failed' ? o.error : null,
  };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const log = (msg: string) => process.stderr.write(`[gpu-parity] ${msg}\n`);
  const gpu = await acquireGpu();
  log(`adapter: ${gpu.adapterName}; ${options.quick ? 'quick sizes' : 'full sizes'}; budget ${options.budgetS} s`);
  const t0 = performance.now();
  const outcomes: Outcome[] = [];
  for (const family of FAMILIES.filter((f) => !options.only || options.only.includes(f.name))) {
    const start = performance.now();
    let outcome: Outcome;
    if ((start - t0) / 1000 >= options.budgetS) outcome = { family, seconds: 0, status: 'skipped' };
    else {
      try {
        const result = await family.run(gpu, options.quick);
        outcome = { family, seconds: (performance.now() - start) / 1000, status: 'ran', result };
      } catch (e) {
        outcome = { family, seconds: (performance.now() - start) / 1000, status: 'failed', error: e instanceof Error ? e.message : String(e) };
      }
    }
    outcomes.push(outcome);
    process.stdout.write(`${JSON.stringify(row(outcome, gpu.adapterName))}\n`);
    log(`${family.name}: ${verdict(outcome)} (${outcome.seconds.toFixed(1)} s)`);
  }
  gpu.release();

  const yesNo = (b: boolean | null) => (b === null ? '–' : b ? 'yes' : 'NO');
  const table = markdownTable([
    ['family', 'kernels', 'identical spikes', 'max diff (ulps)', 'spikes/events', 's', 'verdict'],
    ...outcomes.map((o) => {
      const r = o.status === 'ran' ? o.result : null;
      return [o.family.name, o.family.kernels, r ? yesNo(r.identical) : '–', r ? String(r.maxUlps) : '–', r ? String(r.events) : '–', o.seconds.toFixed(1), verdict(o)];
    }),
  ]);
  const ran = outcomes.filter((o) => o.status === 'ran');
  const agreeing = ran.filter((o) => agrees(o.result)).length;
  const skipped = outcomes.filter((o) => o.status === 'skipped').length;
  process.stdout.write(`\nGPU vs CPU on ${gpu.adapterName}:\n\n${table}\n\n`);
  const summary = `${agreeing} of ${outcomes.length} families agree bit for bit, ${outcomes.length - agreeing - skipped} differ or failed, ${skipped} skipped; ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  process.stdout.write(`${summary}\n`);
  log(summary);
  if (agreeing + skipped < outcomes.length) return 1;
  return skipped > 0 ? 3 : 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    // A usage error is the user's to fix: its message, no stack.
    process.stderr.write(`${e instanceof UsageError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(e instanceof UsageError ? 2 : 1);
  },
);
