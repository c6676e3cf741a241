/** The import graph of a source tree: relative imports (type-only ones too) between .ts files. */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';

export function sourceFiles(dir: string, ext = /\.ts$/): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path, ext));
    else if (ext.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out.sort();
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)|(?:^|\n)\s*import\s*['"]([^'"]+)['"]/g;

/** The .ts files a file imports by relative path (shader ?raw imports and packages left out). */
export function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2] ?? m[3];
    if (!spec.startsWith('.') || spec.includes('?')) continue;
    let target = normalize(join(dirname(file), spec));
    if (target.endsWith('.js')) target = target.slice(0, -3) + '.ts';
    else if (existsSync(target + '.ts')) target += '.ts';
    else if (existsSync(join(target, 'index.ts'))) target = join(target, 'index.ts');
    if (target.endsWith('.ts')) out.push(target);
  }
  return out;
}

/** The top-level folder of a file under root ('.' for files directly in it). */
export function topFolder(root: string, file: string): string {
  const parts = relative(root, file).split(sep);
  return parts.length > 1 ? parts[0] : '.';
}

/** Strongly connected components with more than one node (Tarjan): the cycles of a graph. */
export function cycles(graph: Map<string, Set<string>>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  let next = 0;
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return out;
}

export function fileGraph(files: string[]): Map<string, Set<string>> {
  return new Map(files.map((f) => [f, new Set(importsOf(f))]));
}

/** Edges between top-level folders of root, each with one file import that makes it. */
export function folderEdges(root: string, files: string[]): Map<string, Map<string, string>> {
  const edges = new Map<string, Map<string, string>>();
  for (const file of files) {
    const from = topFolder(root, file);
    for (const target of importsOf(file)) {
      const to = topFolder(root, target);
      if (to === from) continue;
      if (!edges.has(from)) edges.set(from, new Map());
      if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${file} -> ${target}`);
    }
  }
  return edges;
}
