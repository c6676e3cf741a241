/**
 * GPU = CPU on the adapter at hand, without vitest: built into dist/node/gpu-parity.js so that the
 * GPU kit (bench/gpu-kit.sh, bench/gpu-bundle.sh) can check a real GPU where only Node runs.
 *
 *   node dist/node/gpu-parity.js [--quick] [--budget-s=150] [--only=NAME,...]
 *
 * Every kernel family (the engine's, then the crossbar, coding, conversion and DVS libraries') runs
 * its checks on small inputs on the CPU twin and on the GPU. Each check names its guarantee, the
 * same definition its vitest suite uses (tests/parity, docs/parity.md): exact everywhere, or f32
 * bounds (ulps, a spike window, rates) for kernels whose multiply-adds a compiler may contract.
 * On SwiftShader every check must be bit for bit; elsewhere it must keep its guarantee. Per check:
 * one JSON line on stdout with the guarantee and the verdict (exact, within the guarantee, or
 * violated), progress on stderr, then a Markdown table.
 *
 * A family starts only while the budget lasts; those left are reported as skipped.
 * Exit status: 0 every check ran and held (bit for bit on SwiftShader); 1 one was violated or a
 * family failed; 3 all that ran held but some were skipped; 2 bad arguments.
 */
import { acquireGpu } from '../src/index.js';
import { describeGuarantee, judge, parityMode, type ParityMode, type Verdict } from '../tests/parity/guarantee.js';
import { events, largestUlps, type ParityCheck, type ParityFamily } from './gpu-parity/compare.js';
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

type Outcome = { family: ParityFamily; seconds: number } & ({ status: 'ran'; checks: { check: ParityCheck; verdict: Verdict }[] } | { status: 'failed'; error: string } | { status: 'skipped' });

const VERDICT_WORDS: Record<Verdict['status'], string> = { exact: 'exact', within: 'within guarantee', violated: 'VIOLATED' };

function rows(o: Outcome, adapter: string, mode: ParityMode): Record<string, string | number | boolean | null | string[]>[] {
  const base = { bench: 'gpu-parity', family: o.family.name, kernels: o.family.kernels, adapter, mode };
  if (o.status !== 'ran') return [{ ...base, check: null, guarantee: null, status: o.status, seconds: Number(o.seconds.toFixed(2)), error: o.status === 'failed' ? o.error : null }];
  return o.checks.map(({ check, verdict }) => ({
    ...base,
    check: check.name,
    guarantee: describeGuarantee(check.guarantee),
    status: verdict.status,
    notes: verdict.notes,
    events: events(check.observation),
    max_ulps: Number.isFinite(largestUlps(check.observation)) ? largestUlps(check.observation) : 'Infinity',
    seconds: Number(o.seconds.toFixed(2)),
  }));
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const log = (msg: string) => process.stderr.write(`[gpu-parity] ${msg}\n`);
  const gpu = await acquireGpu();
  const mode = parityMode(gpu);
  log(`adapter: ${gpu.adapterName}; ${mode === 'bit-exact' ? 'SwiftShader: bit for bit expected' : 'each check held to its stated guarantee'}; ${options.quick ? 'quick sizes' : 'full sizes'}; budget ${options.budgetS} s`);
  const t0 = performance.now();
  const outcomes: Outcome[] = [];
  for (const family of FAMILIES.filter((f) => !options.only || options.only.includes(f.name))) {
    const start = performance.now();
    let outcome: Outcome;
    if ((start - t0) / 1000 >= options.budgetS) outcome = { family, seconds: 0, status: 'skipped' };
    else {
      try {
        const checks = (await family.run(gpu, options.quick)).map((check) => ({ check, verdict: judge(check.observation, check.guarantee, mode) }));
        outcome = { family, seconds: (performance.now() - start) / 1000, status: 'ran', checks };
      } catch (e) {
        outcome = { family, seconds: (performance.now() - start) / 1000, status: 'failed', error: e instanceof Error ? e.message : String(e) };
      }
    }
    outcomes.push(outcome);
    for (const row of rows(outcome, gpu.adapterName, mode)) process.stdout.write(`${JSON.stringify(row)}\n`);
    const summary = outcome.status === 'ran' ? outcome.checks.map(({ check, verdict }) => `${check.name} ${VERDICT_WORDS[verdict.status]}`).join(', ') : outcome.status === 'failed' ? `ERROR: ${outcome.error}` : 'skipped (budget)';
    log(`${family.name}: ${summary} (${outcome.seconds.toFixed(1)} s)`);
  }
  gpu.release();

  const checks = outcomes.flatMap((o) => (o.status === 'ran' ? o.checks : []));
  const table = markdownTable([
    ['family', 'check', 'guarantee', 'verdict', 'spikes/events', 'max diff (ulps)'],
    ...outcomes.flatMap((o) => {
      if (o.status !== 'ran') return [[o.family.name, '–', '–', o.status === 'failed' ? `ERROR: ${o.error}` : 'skipped (budget)', '–', '–']];
      return o.checks.map(({ check, verdict }) => [
        o.family.name,
        check.name,
        describeGuarantee(check.guarantee),
        verdict.status === 'violated' ? `VIOLATED: ${verdict.notes.slice(0, 3).join('; ')}` : VERDICT_WORDS[verdict.status],
        String(events(check.observation)),
        String(largestUlps(check.observation)),
      ]);
    }),
  ]);
  const count = (s: Verdict['status']) => checks.filter((c) => c.verdict.status === s).length;
  const failed = outcomes.filter((o) => o.status === 'failed').length;
  const skipped = outcomes.filter((o) => o.status === 'skipped').length;
  process.stdout.write(`\nGPU vs CPU on ${gpu.adapterName} (${mode === 'bit-exact' ? 'bit for bit expected' : 'stated guarantees'}):\n\n${table}\n\n`);
  const summary = `${checks.length} checks: ${count('exact')} exact, ${count('within')} within their guarantee, ${count('violated')} violated; ${failed} families failed, ${skipped} skipped; ${((performance.now() - t0) / 1000).toFixed(1)} s`;
  process.stdout.write(`${summary}\n`);
  log(summary);
  if (count('violated') > 0 || failed > 0) return 1;
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
