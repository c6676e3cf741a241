/**
 * WGSL composition. A shader file names the libraries it uses in its first lines, one directive
 * a line, with paths under shaders/:
 *
 *   //! include util/common.wgsl
 *   //! include util/rng.wgsl
 *
 * composeShader(entry) expands the directives depth first in the order they are written, each
 * library once and always before the files that include it, then joins the files' text (directive
 * lines left out) with newlines, the entry file last. Hosts name a kernel by its entry file only.
 */

const SHADERS_DIR = '../../shaders/';

/** Every .wgsl file under shaders/ by its path there ('util/rng.wgsl'); Vite inlines them at build time. */
const SHADER_FILES: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(import.meta.glob<string>('../../shaders/**/*.wgsl', { query: '?raw', import: 'default', eager: true })).map(([path, text]) => [path.slice(SHADERS_DIR.length), text]),
);

const DIRECTIVE = '//!';
const INCLUDE = /^\/\/! include (\S+\.wgsl)$/;

interface ShaderFile {
  includes: string[];
  /** The file's text without its directive lines. */
  body: string;
}

/** Splits a file into its leading include directives and the rest, which must hold no directive. */
function parseShaderFile(path: string, text: string): ShaderFile {
  const includes: string[] = [];
  let body = text;
  while (body.startsWith(DIRECTIVE)) {
    const end = body.indexOf('\n');
    const line = end < 0 ? body : body.slice(0, end);
    const match = INCLUDE.exec(line);
    if (!match) throw new Error(`shaders/${path}: ${JSON.stringify(line)} is not an include directive ('//! include DIR/FILE.wgsl')`);
    includes.push(match[1]);
    body = end < 0 ? '' : body.slice(end + 1);
  }
  if (body.includes(`\n${DIRECTIVE}`)) throw new Error(`shaders/${path}: include directives belong in the file's first lines`);
  return { includes, body };
}

/** The WGSL of the kernel whose entry file is `entry` (a path under shaders/), libraries first. */
export function composeShader(entry: string, files: Readonly<Record<string, string>> = SHADER_FILES): string {
  const parsed = new Map<string, ShaderFile>();
  const order: string[] = [];
  const visiting: string[] = [];
  const visit = (path: string, includedBy: string | null): void => {
    if (order.includes(path)) return;
    if (visiting.includes(path)) throw new Error(`shaders/${path}: include cycle ${[...visiting, path].join(' -> ')}`);
    const text = files[path];
    if (text === undefined) throw new Error(includedBy === null ? `shaders/${path}: no such shader` : `shaders/${includedBy}: includes ${path}, which is not a file under shaders/`);
    const file = parseShaderFile(path, text);
    parsed.set(path, file);
    visiting.push(path);
    for (const library of file.includes) visit(library, path);
    visiting.pop();
    order.push(path);
  };
  visit(entry, null);
  return order.map((path) => parsed.get(path)!.body).join('\n');
}
