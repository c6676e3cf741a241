/**
 * The architecture, checked: layers of src/ import only downward (no folder cycle), no file
 * cycle, no source file over 500 lines, shaders/ mirrors src/, every WGSL file is in the kernel
 * catalog with a CPU twin that exists and parity tests that name it, and the README's generated
 * sections are current (UPDATE_DOCS=1 rewrites them: `npm run docs`).
 */
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kernelCatalog, SHADER_LIBRARIES } from '../src/kernel-catalog.js';
import { cycles, fileGraph, folderEdges, sourceFiles } from './architecture/imports.js';
import { LAYERS } from './architecture/layers.js';
import { regenerate } from './architecture/readme.js';

const SRC = 'src';
const srcFiles = sourceFiles(SRC);

describe('import graph', () => {
  it('every folder of src/ sits in exactly one layer', () => {
    const folders = new Set(srcFiles.map((f) => (relative(SRC, f).includes('/') ? relative(SRC, f).split('/')[0] : '.')));
    const listed = LAYERS.flatMap((l) => l.folders.map((f) => f.path));
    expect(new Set(listed).size).toBe(listed.length);
    expect([...folders].sort()).toEqual([...listed].sort());
  });

  it('a folder imports only from folders of earlier layers', () => {
    const layerOf = new Map(LAYERS.flatMap((l, k) => l.folders.map((f) => [f.path, k] as const)));
    const upward: string[] = [];
    for (const [from, targets] of folderEdges(SRC, srcFiles)) {
      for (const [to, example] of targets) {
        const [a, b] = [layerOf.get(from), layerOf.get(to)];
        if (a === undefined || b === undefined || b >= a) upward.push(`${from} -> ${to} (${example})`);
      }
    }
    expect(upward).toEqual([]);
  });

  it('the folder-level import graph of src/ has no cycle', () => {
    const graph = new Map([...folderEdges(SRC, srcFiles)].map(([from, to]) => [from, new Set(to.keys())]));
    expect(cycles(graph)).toEqual([]);
  });

  it('no file-level import cycle in src/ or bench/', () => {
    expect(cycles(fileGraph([...srcFiles, ...sourceFiles('bench')]))).toEqual([]);
  });
});

describe('source files', () => {
  it('no source file over 500 lines', () => {
    const long = [...srcFiles, ...sourceFiles('bench'), ...sourceFiles('shaders', /\.wgsl$/)]
      .map((f) => ({ f, lines: readFileSync(f, 'utf8').replace(/\n$/, '').split('\n').length }))
      .filter((x) => x.lines > 500)
      .map((x) => `${x.f}: ${x.lines}`);
    expect(long).toEqual([]);
  });

  it('shaders/ mirrors src/: every shader folder has its src/ folder', () => {
    const dirs = (root: string): string[] =>
      readdirSync(root)
        .map((n) => join(root, n))
        .filter((p) => statSync(p).isDirectory())
        .flatMap((p) => [p, ...dirs(p)]);
    const unmatched = dirs('shaders').filter((d) => !existsSync(join(SRC, relative('shaders', d))));
    expect(unmatched).toEqual([]);
  });
});

describe('kernel catalog', () => {
  const kernels = kernelCatalog().flatMap((g) => g.kernels);
  const shaders = sourceFiles('shaders', /\.wgsl$/).map((f) => relative('shaders', f));

  it('every .wgsl file is registered once, as a kernel or as an included library', () => {
    const registered = [...kernels.map((k) => k.shader), ...SHADER_LIBRARIES.map((l) => l.shader)];
    expect(new Set(registered).size).toBe(registered.length);
    expect([...registered].sort()).toEqual([...shaders].sort());
  });

  it('the catalog’s kernels are exactly the kernels the hosts define (defineKernel), each in the shaders/ folder of its host', () => {
    const definitions = srcFiles.flatMap((f) => [...readFileSync(f, 'utf8').matchAll(/defineKernel\(\s*'([^']+)'/g)].map((m) => ({ file: f, shader: m[1] })));
    const misplaced = definitions.filter(({ file, shader }) => dirname(shader) !== dirname(relative(SRC, file))).map(({ file, shader }) => `${shader} defined in ${file}`);
    expect(misplaced).toEqual([]);
    const defined = definitions.map((d) => d.shader);
    expect(new Set(defined).size, 'each kernel defined once').toBe(defined.length);
    expect([...defined].sort()).toEqual(kernels.map((k) => k.shader).sort());
  });

  const twins = [...kernels.map((k) => k.twin), ...SHADER_LIBRARIES.map((l) => l.twin)].filter((t): t is string => t !== null);
  it.each([...new Set(twins)])('the CPU twin %s exists', async (twin) => {
    const [file, symbol] = twin.split('#');
    const [name, method] = symbol.split('.');
    const module = (await import(/* @vite-ignore */ `../${file.replace(/\.ts$/, '.js')}`)) as Record<string, unknown>;
    expect(typeof module[name], `${file} exports ${name}`).toBe('function');
    if (method) expect(typeof (module[name] as { prototype: Record<string, unknown> }).prototype[method], `${name}.${method}`).toBe('function');
  });

  const symbolOf = (ref: string) => ref.split('#')[1].split('.').pop()!;
  it.each(kernels.map((k) => [k.shader, k] as const))('%s has a parity test that names it', (_, k) => {
    expect(k.parity.length).toBeGreaterThan(0);
    const names = [k.shader.replace(/^.*\//, '').replace(/\.wgsl$/, ''), symbolOf(k.twin), ...(k.host ? [symbolOf(k.host)] : [])];
    for (const entry of k.parity) {
      const [test, title] = entry.split(' > ');
      expect(existsSync(test), test).toBe(true);
      const text = readFileSync(test, 'utf8');
      if (title) expect(text.includes(`'${title}'`), `${test} has a block '${title}'`).toBe(true);
      else expect(names.some((n) => text.includes(n)), `${test} names one of ${names.join(', ')}`).toBe(true);
    }
  });

  const hosts = kernels.map((k) => k.host).filter((h): h is string => h !== undefined);
  it.each([...new Set(hosts)])('the GPU host %s exists', async (host) => {
    const [file, name] = host.split('#');
    const module = (await import(/* @vite-ignore */ `../${file.replace(/\.ts$/, '.js')}`)) as Record<string, unknown>;
    expect(typeof module[name], `${file} exports ${name}`).toBe('function');
  });
});

describe('README', () => {
  it('the layout section and kernel table are generated from the layers and the catalog', () => {
    const text = readFileSync('README.md', 'utf8');
    const current = regenerate(text);
    if (process.env.UPDATE_DOCS) writeFileSync('README.md', current);
    else expect(text, 'README.md is stale: run npm run docs').toBe(current);
  });
});
