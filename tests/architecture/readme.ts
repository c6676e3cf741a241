/**
 * The README sections generated from the source of truth (the layer list and the kernel catalog),
 * between `<!-- generated:NAME -->` and `<!-- /generated:NAME -->` markers.
 */
import { kernelCatalog, SHADER_LIBRARIES } from '../../src/kernel-catalog.js';
import { LAYERS } from './layers.js';

const code = (s: string) => `\`${s}\``;
const twinCell = (twin: string | null) => (twin === null ? 'declarations only' : `${code(twin.split('#')[1])} in ${code(twin.split('#')[0])}`);

export function layoutSection(): string {
  const rows = LAYERS.flatMap((layer) => layer.folders.map((f) => `| ${layer.name} | ${code(f.path === '.' ? 'src/' : `src/${f.path}/`)} | ${f.purpose} |`));
  return [
    'Layers of `src/`, lowest first: a folder imports only from folders of earlier layers in this table (checked by `tests/architecture.test.ts`). `shaders/` mirrors `src/`: the kernels of `src/ops/dense` are in `shaders/ops/dense`. See [docs/architecture.md](docs/architecture.md).',
    '',
    '| layer | folder | what it holds |',
    '| --- | --- | --- |',
    ...rows,
    '',
    '```',
    'shaders/    WGSL kernels, mirroring src/ (ops/, engine/gpu/, crossbar/, coding/, convert/, dvs/, util/)',
    'tests/      vitest suites (Node + Dawn); tests/browser: Playwright in headless Chromium',
    'bench/      benchmarks, JSON lines + Markdown table; bench/RESULTS.md holds measured numbers',
    'examples/   every built-in example as a network file',
    'docs/       file formats, studies and docs/architecture.md',
    '```',
  ].join('\n');
}

export function kernelSection(): string {
  const rows = kernelCatalog().flatMap((group) =>
    group.kernels.map((k) => `| ${code(k.shader)} | ${group.owner.replace(/ \(.*$/, '')} | ${k.computes} | ${twinCell(k.twin)} | ${k.parity.map((p) => code(p.split(' > ')[0].replace('tests/', ''))).join(', ')} |`),
  );
  const libraries = SHADER_LIBRARIES.map((l) => `| ${code(l.shader)} | ${l.computes} | ${twinCell(l.twin)} |`);
  return [
    'Every kernel, its CPU twin and the tests that compare them (paths under `shaders/`; generated from `src/kernel-catalog.ts` and the operations registered in `src/engine/operations.ts`):',
    '',
    '| kernel | operation | one dispatch computes | CPU twin | parity tests |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
    'Libraries that kernels include (`//! include` lines at the top of a kernel):',
    '',
    '| library | provides | CPU twin |',
    '| --- | --- | --- |',
    ...libraries,
  ].join('\n');
}

export const GENERATED: Record<string, () => string> = { layout: layoutSection, kernels: kernelSection };

/** The text with every generated section replaced by its current content. */
export function regenerate(text: string): string {
  let out = text;
  for (const [name, make] of Object.entries(GENERATED)) {
    const open = `<!-- generated:${name} (npm run docs) -->`;
    const close = `<!-- /generated:${name} -->`;
    const a = out.indexOf(open);
    const b = out.indexOf(close);
    if (a < 0 || b < a) throw new Error(`README.md has no ${open} ... ${close} section`);
    out = `${out.slice(0, a + open.length)}\n${make()}\n${out.slice(b)}`;
  }
  return out;
}
