/**
 * .nir files through h5wasm: the NIR paper's four graphs read with their node types, shapes and
 * values; write -> read gives identical graphs; h5py reads our files as it reads the originals
 * (every dataset's dtype, shape and bytes); nested graphs; refusals.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeDataset, writeHdf5 } from '../src/interop/hdf5.js';
import { NirFileError, readNir, writeNir } from '../src/interop/nir/file.js';
import type { NirGraph, NirGraphBody, NirNode, NirValue } from '../src/interop/nir/graph.js';
import { nirArray, nirGraphDiff, nirParam, nirScalar, nirShape, nirString } from '../src/interop/nir/graph.js';
import { ModelError } from '../src/util/validate.js';
import { h5pyAvailable, PYTHON } from './peers/python.js';

const FIXTURES = join(import.meta.dirname, 'fixtures', 'nir');
const FILES = ['lif_norse', 'cnn_sinabs', 'braille_noDelay_bias_zero', 'braille_noDelay_noBias_subtract'];
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, `${name}.nir`)));


/** What h5py sees in a file: every dataset (dtype, shape, sha256 of its bytes or its strings), groups, node order. */
const DUMP = `
import h5py, json, sys, hashlib, numpy as np
NAMES = {'float32': 'f32', 'float64': 'f64', 'int8': 'i8', 'int16': 'i16', 'int32': 'i32', 'int64': 'i64',
         'uint8': 'u8', 'uint16': 'u16', 'uint32': 'u32', 'uint64': 'u64'}
out = {}
for path in sys.argv[1:]:
    d = {'@groups': [], '@order': {}}
    def visit(name, obj):
        if isinstance(obj, h5py.Group):
            d['@groups'].append(name)
            if name.endswith('nodes'): d['@order'][name] = list(obj.keys())
            return
        enc = h5py.check_string_dtype(obj.dtype)
        v = obj[()]
        if enc is not None:
            flat = np.asarray(v, dtype=object).reshape(-1)
            d[name] = {'dtype': 'string', 'vlen': enc.length is None, 'encoding': enc.encoding, 'shape': list(obj.shape),
                       'strings': [s.decode('utf-8') if isinstance(s, bytes) else s for s in flat]}
        else:
            a = np.ascontiguousarray(np.asarray(v))
            d[name] = {'dtype': NAMES[a.dtype.name], 'shape': list(obj.shape),
                       'sha256': hashlib.sha256(a.astype(a.dtype.newbyteorder('<')).tobytes()).hexdigest(), 'sum': float(a.sum()) if np.isfinite(a.sum()) else None}
    with h5py.File(path, 'r') as f:
        f.visititems(visit)
        d['@nir_edges'] = [[a.decode(), b.decode()] for a, b in f['node/edges'][()]] if 'node/edges' in f else None
    out[path] = d
print(json.dumps(out))
`;

type Dump = Record<string, unknown> & { '@groups': string[]; '@order': Record<string, string[]>; '@nir_edges': string[][] };

function h5pyDump(paths: string[]): Record<string, Dump> {
  const r = spawnSync(PYTHON, ['-c', DUMP, ...paths], { encoding: 'utf8', maxBuffer: 1 << 26 });
  if (r.status !== 0) throw new Error(`h5py dump failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, Dump>;
}

/** The same view computed from our in-memory graph. */
function describeValue(v: NirValue): object {
  if (v.dtype === 'string') return { dtype: 'string', vlen: true, encoding: 'utf-8', shape: v.shape, strings: v.data };
  const bytes = Buffer.from(v.data.buffer, v.data.byteOffset, v.data.byteLength);
  return { dtype: v.dtype, shape: v.shape, sha256: createHash('sha256').update(bytes).digest('hex') };
}

function describeGraph(g: NirGraph): Record<string, object> {
  const out: Record<string, object> = { version: describeValue(nirParam(g.version)) };
  const record = (path: string, values: Record<string, NirValue> | undefined): void => {
    for (const [k, v] of Object.entries(values ?? {})) out[`${path}/${k}`] = describeValue(v);
  };
  const body = (path: string, b: NirGraphBody): void => {
    out[`${path}/type`] = describeValue(nirParam('NIRGraph'));
    record(path, b.params);
    for (const [k, group] of Object.entries(b.groups ?? {})) record(`${path}/${k}`, group);
    record(`${path}/metadata`, b.metadata);
    out[`${path}/edges`] = describeValue({ dtype: 'string', shape: [b.edges.length, 2], data: b.edges.flat() });
    for (const [name, n] of b.nodes) node(`${path}/nodes/${name}`, n);
  };
  const node = (path: string, n: NirNode): void => {
    if (n.graph) return body(path, n.graph);
    out[`${path}/type`] = describeValue(nirParam(n.type));
    record(path, n.params);
    for (const [k, group] of Object.entries(n.groups ?? {})) record(`${path}/${k}`, group);
    record(`${path}/metadata`, n.metadata);
  };
  body('node', g);
  return out;
}

const datasetsOf = (d: Dump): Record<string, unknown> => Object.fromEntries(Object.entries(d).filter(([k]) => !k.startsWith('@')));
const withoutSums = (d: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(d).map(([k, v]) => [k, Object.fromEntries(Object.entries(v as object).filter(([f]) => f !== 'sum'))]));

function types(g: NirGraphBody): Record<string, string> {
  return Object.fromEntries([...g.nodes].map(([k, n]) => [k, n.type]));
}

describe('reading the NIR paper files', () => {
  it('lif_norse: Affine -> LIF with tau 0.0025 s, v_threshold 0.1 (float32)', async () => {
    const g = await readNir(fixture('lif_norse'));
    expect(g.version).toBe('0.1.1');
    expect(types(g)).toEqual({ '0': 'Affine', '1': 'LIF', input: 'Input', output: 'Output' });
    expect(g.edges).toEqual([['input', '0'], ['0', '1'], ['1', 'output']]);
    const lif = g.nodes.get('1')!.params;
    expect(Object.keys(lif).sort()).toEqual(['r', 'tau', 'v_leak', 'v_threshold']);
    expect(lif.tau).toMatchObject({ dtype: 'f32', shape: [1] });
    expect(nirScalar(lif.tau)).toBe(Math.fround(0.0025));
    expect(nirScalar(lif.v_threshold)).toBe(Math.fround(0.1));
    expect(nirScalar(lif.r)).toBe(1);
    expect(nirScalar(lif.v_leak)).toBe(0);
    const affine = g.nodes.get('0')!.params;
    expect(affine.weight).toMatchObject({ dtype: 'f32', shape: [1, 1] });
    expect([...nirArray(affine.weight), ...nirArray(affine.bias)]).toEqual([1, 0]);
    expect(g.nodes.get('input')!.params.shape).toEqual({ dtype: 'i64', shape: [1], data: BigInt64Array.of(1n) });
  });

  it('cnn_sinabs: Conv2d weight [16, 2, 5, 5], stride [2, 2], the 15-node chain', async () => {
    const g = await readNir(fixture('cnn_sinabs'));
    expect(g.version).toBe('0.2.0');
    expect(types(g)).toEqual({
      '0': 'Conv2d', '1': 'IF', '10': 'IF', '11': 'Affine', '12': 'IF', '2': 'Conv2d', '3': 'IF', '4': 'SumPool2d',
      '5': 'Conv2d', '6': 'IF', '7': 'SumPool2d', '8': 'Flatten', '9': 'Affine', input: 'Input', output: 'Output',
    });
    const conv = g.nodes.get('0')!.params;
    expect(conv.weight.dtype).toBe('f32');
    expect(nirShape(conv.weight)).toEqual([16, 2, 5, 5]);
    const w = nirArray(conv.weight);
    expect(w[0]).toBe(-0.2573421895503998);
    expect(w[16 * 2 * 5 * 5 - 1]).toBe(0.10971786081790924);
    expect(conv.stride).toEqual({ dtype: 'i64', shape: [2], data: BigInt64Array.of(2n, 2n) });
    expect([...nirArray(conv.padding), ...nirArray(conv.dilation), ...nirArray(conv.input_shape)]).toEqual([1, 1, 1, 1, 34, 34]);
    expect(conv.groups).toEqual({ dtype: 'i64', shape: [], data: BigInt64Array.of(1n) });
    expect(nirShape(g.nodes.get('1')!.params.v_threshold)).toEqual([16, 16, 16]);
    expect(nirArray(g.nodes.get('4')!.params.kernel_size)).toEqual(Float64Array.of(2, 2));
    const flatten = g.nodes.get('8')!.params;
    expect([nirScalar(flatten.start_dim), nirScalar(flatten.end_dim)]).toEqual([0, -1]);
    expect(nirArray(flatten.input_type)).toEqual(Float64Array.of(8, 4, 4));
    expect(nirShape(g.nodes.get('9')!.params.weight)).toEqual([256, 128]);
    expect(nirArray(g.nodes.get('11')!.params.weight)[10 * 256 - 1]).toBe(-0.3343563675880432);
    expect(nirArray(g.nodes.get('input')!.params.shape)).toEqual(Float64Array.of(2, 34, 34));
    // The edges (stored out of order) form one chain input -> 0 -> ... -> 12 -> output.
    const next = new Map(g.edges);
    const chain = ['input'];
    while (next.has(chain[chain.length - 1])) chain.push(next.get(chain[chain.length - 1])!);
    expect(g.edges.length).toBe(14);
    expect(chain).toEqual(['input', ...Array.from({ length: 13 }, (_, k) => String(k)), 'output']);
  });

  it('braille (bias, reset to zero): CubaLIF in float64, the recurrent edge lif1.lif -> lif1.w_rec', async () => {
    const g = await readNir(fixture('braille_noDelay_bias_zero'));
    expect(types(g)).toEqual({ fc1: 'Affine', fc2: 'Affine', input: 'Input', 'lif1.lif': 'CubaLIF', 'lif1.w_rec': 'Affine', lif2: 'CubaLIF', output: 'Output' });
    expect(g.edges).toContainEqual(['lif1.lif', 'lif1.w_rec']);
    expect(g.edges).toContainEqual(['lif1.w_rec', 'lif1.lif']);
    expect(new Set(g.edges.map((e) => e.join('>')))).toEqual(new Set(['input>fc1', 'fc1>lif1.lif', 'lif1.lif>lif1.w_rec', 'lif1.w_rec>lif1.lif', 'lif1.lif>fc2', 'fc2>lif2', 'lif2>output']));
    const lif2 = g.nodes.get('lif2')!.params;
    expect(Object.keys(lif2).sort()).toEqual(['r', 'tau_mem', 'tau_syn', 'v_leak', 'v_threshold', 'w_in']);
    expect(lif2.tau_syn).toMatchObject({ dtype: 'f64', shape: [7] });
    expect(nirArray(lif2.tau_syn)[0]).toBe(0.0002);
    expect(nirArray(lif2.tau_mem)[6]).toBe(0.0002222222281091009);
    expect(nirArray(lif2.w_in)[3]).toBe(2);
    expect(nirArray(g.nodes.get('lif1.lif')!.params.tau_mem)).toEqual(new Float64Array(38).fill(0.0009999997615814777));
    expect(nirShape(g.nodes.get('lif1.w_rec')!.params.weight)).toEqual([38, 38]);
    expect(nirArray(g.nodes.get('fc1')!.params.weight)[0]).toBe(-1.3380635976791382);
    expect([...nirArray(g.nodes.get('fc2')!.params.bias)]).toEqual([
      0.35732531547546387, 0.25837114453315735, 0.29189610481262207, 0.25666502118110657, 0.26860564947128296, 0.32621845602989197, 0.31571465730667114,
    ]);
  });

  it('braille (no bias, subtract): Linear layers, 40 recurrent neurons', async () => {
    const g = await readNir(fixture('braille_noDelay_noBias_subtract'));
    expect(types(g)).toEqual({ fc1: 'Linear', fc2: 'Linear', input: 'Input', 'lif1.lif': 'CubaLIF', 'lif1.w_rec': 'Linear', lif2: 'CubaLIF', output: 'Output' });
    expect(Object.keys(g.nodes.get('fc1')!.params)).toEqual(['weight']);
    expect(nirShape(g.nodes.get('fc1')!.params.weight)).toEqual([40, 12]);
    expect(nirArray(g.nodes.get('fc1')!.params.weight)[0]).toBe(-0.07052367925643921);
    expect(nirArray(g.nodes.get('lif1.lif')!.params.tau_syn)[0]).toBe(0.0004);
    expect(nirArray(g.nodes.get('lif2')!.params.tau_syn)[0]).toBe(0.00018181817787737896);
    expect(g.edges).toContainEqual(['lif1.lif', 'lif1.w_rec']);
  });

  it('the LIF reference runs: 1000 steps, spikes at rows 460, 510, 710, 760 in all three', () => {
    for (const name of ['lif_exact', 'lif_norse', 'lif_snntorch']) {
      const rows = readFileSync(join(FIXTURES, `${name}.csv`), 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));
      expect(rows.length).toBe(1000);
      expect(rows.every((r) => r.length === 3 && r.every(Number.isFinite))).toBe(true);
      expect(rows.flatMap((r, k) => (r[2] !== 0 ? [k] : []))).toEqual([460, 510, 710, 760]);
    }
  });
});

describe('writing', () => {
  it('write -> read gives identical graphs for every paper file (dtype, shape, bits, order)', async () => {
    for (const name of FILES) {
      const g = await readNir(fixture(name));
      const again = await readNir(await writeNir(g));
      expect(nirGraphDiff(g, again), name).toEqual([]);
      expect([...again.nodes.keys()]).toEqual([...g.nodes.keys()]);
    }
  });

  it.runIf(h5pyAvailable())('h5py reads our rewritten files exactly as it reads the originals', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'neuromorph-nir-'));
    const paths: string[] = [];
    for (const name of FILES) {
      const out = join(dir, `${name}.nir`);
      writeFileSync(out, await writeNir(await readNir(fixture(name))));
      paths.push(join(FIXTURES, `${name}.nir`), out);
    }
    const dumps = h5pyDump(paths);
    for (let k = 0; k < paths.length; k += 2) {
      const [original, ours] = [dumps[paths[k]], dumps[paths[k + 1]]];
      expect(datasetsOf(ours), paths[k]).toEqual(datasetsOf(original));
      expect(ours['@groups'].sort()).toEqual(original['@groups'].sort());
      expect(ours['@nir_edges']).toEqual(original['@nir_edges']);
    }
    // cnn_sinabs: version, type, edges + 3 Conv2d x 8 + 5 IF x 3 + 2 SumPool2d x 4 + Flatten 4 + 2 Affine x 3 + Input/Output 2 x 2.
    expect(Object.keys(datasetsOf(dumps[paths[3]])).length).toBe(3 + 24 + 15 + 8 + 4 + 6 + 4);
    expect((dumps[paths[3]]['node/nodes/0/weight'] as { sum: number }).sum).toBeCloseTo(-10.7444, 3);
  });

  const nested = (): NirGraph => ({
    version: '0.5.0',
    nodes: new Map<string, NirNode>([
      ['input', { type: 'Input', params: { shape: nirParam([3], undefined, 'i64') } }],
      ['z_fc', { type: 'Affine', params: { weight: nirParam(Float32Array.of(1, -0, NaN, 2.5, 1e-30, 3), [2, 3]), bias: nirParam(Float32Array.of(0.5, -0.5)) } }],
      [
        'sub',
        {
          type: 'NIRGraph',
          params: {},
          graph: {
            nodes: new Map<string, NirNode>([
              ['input', { type: 'Input', params: { shape: nirParam([2], undefined, 'i64') } }],
              ['lif', {
                type: 'LIF',
                params: { tau: nirParam([0.02, 0.01]), r: nirParam([1, 1]), v_leak: nirParam([0, 0]), v_threshold: nirParam(Float32Array.of(1, 1)) },
                groups: { input_type: { input: nirParam([2], undefined, 'i64') } },
                metadata: { unit: nirParam('s'), steps: nirParam(7, [], 'i32') },
              }],
              ['output', { type: 'Output', params: { shape: nirParam([2], undefined, 'i64') } }],
            ]),
            edges: [['input', 'lif'], ['lif', 'output']],
            metadata: { note: nirParam(['nested', 'grafo ü']) },
          },
        },
      ],
      ['10', { type: 'Scale', params: { scale: nirParam(Uint8Array.of(3, 4)), flags: nirParam(Int32Array.of(-1, 2, 3, 4), [2, 2]) } }],
      ['output', { type: 'Output', params: { shape: nirParam([2], undefined, 'i64') } }],
    ]),
    edges: [['input', 'z_fc'], ['z_fc', 'sub'], ['sub', '10'], ['sub.lif', 'output']],
    metadata: { source: nirParam('neuromorph test'), dt: nirParam(1e-4) },
  });

  it('a nested NIRGraph node (with groups, metadata, many dtypes) survives write -> read, node order kept', async () => {
    const g = nested();
    const back = await readNir(await writeNir(g));
    expect(nirGraphDiff(g, back)).toEqual([]);
    expect([...back.nodes.keys()]).toEqual(['input', 'z_fc', 'sub', '10', 'output']);
    const sub = back.nodes.get('sub')!;
    expect(sub.type).toBe('NIRGraph');
    expect(types(sub.graph!)).toEqual({ input: 'Input', lif: 'LIF', output: 'Output' });
    expect(sub.graph!.edges).toEqual([['input', 'lif'], ['lif', 'output']]);
    expect(nirString(sub.graph!.nodes.get('lif')!.metadata!.unit)).toBe('s');
    expect(sub.graph!.metadata!.note.data).toEqual(['nested', 'grafo ü']);
    const w = back.nodes.get('z_fc')!.params.weight;
    expect(w.dtype).toBe('f32');
    expect(Object.is(nirArray(w)[1], -0)).toBe(true);
    expect(Number.isNaN(nirArray(w)[2])).toBe(true);
  });

  it.runIf(h5pyAvailable())('h5py sees each dataset of a written nested graph with our dtype, shape and bytes', async () => {
    const g = nested();
    const path = join(mkdtempSync(join(tmpdir(), 'neuromorph-nir-')), 'nested.nir');
    writeFileSync(path, await writeNir(g));
    const dump = h5pyDump([path])[path];
    expect(withoutSums(datasetsOf(dump))).toEqual(describeGraph(g));
    expect(dump['@order']).toEqual({ 'node/nodes': ['input', 'z_fc', 'sub', '10', 'output'], 'node/nodes/sub/nodes': ['input', 'lif', 'output'] });
    expect(dump['@nir_edges']).toEqual([['input', 'z_fc'], ['z_fc', 'sub'], ['sub', '10'], ['sub.lif', 'output']]);
  });
});

describe('refusals', () => {
  const refuses = async (bytes: Uint8Array | Promise<Uint8Array>, pattern: RegExp): Promise<void> => {
    const err = await readNir(await bytes).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NirFileError);
    expect(String((err as Error).message)).toMatch(pattern);
  };

  it('garbage bytes, a truncated file, HDF5 without a node group', async () => {
    await refuses(new TextEncoder().encode('this is not HDF5 at all'), /not an HDF5 file/);
    await refuses(fixture('lif_norse').subarray(0, 5000), /HDF5 library: .*truncated file/);
    await refuses(writeHdf5((f) => writeDataset(f, 'version', nirParam('0.2.0'))), /no 'node' group: not a NIR graph \(root holds: version\)/);
  });

  it('a node without type, an edge to an unknown node, an unsupported dtype, a non-graph top node', async () => {
    const base = (f: Parameters<Parameters<typeof writeHdf5>[0]>[0], edges: string[]) => {
      writeDataset(f, 'version', nirParam('0.2.0'));
      const node = f.create_group('node');
      writeDataset(node, 'type', nirParam('NIRGraph'));
      writeDataset(node, 'edges', nirParam(edges, [edges.length / 2, 2]));
      return node.create_group('nodes');
    };
    await refuses(writeHdf5((f) => base(f, []).create_group('a')), /node\/nodes\/a: no 'type' dataset/);
    await refuses(
      writeHdf5((f) => writeDataset(base(f, ['a', 'ghost']).create_group('a'), 'type', nirParam('Input'))),
      /node\/edges\[0\]: a -> ghost names unknown node 'ghost'/,
    );
    await refuses(
      writeHdf5((f) => {
        writeDataset(f, 'version', nirParam('0.2.0'));
        writeDataset(f.create_group('node'), 'type', nirParam('LIF'));
      }),
      /the top-level node must be a NIRGraph, got LIF/,
    );
    if (h5pyAvailable()) {
      const path = join(mkdtempSync(join(tmpdir(), 'neuromorph-nir-')), 'f16.nir');
      const make = `import h5py, numpy as np, sys
with h5py.File(sys.argv[1], 'w') as f:
    f['version'] = '0.2.0'
    n = f.create_group('node'); n['type'] = 'NIRGraph'; n['edges'] = np.zeros((0, 2), dtype=h5py.string_dtype())
    s = n.create_group('nodes').create_group('s'); s['type'] = 'Scale'; s['scale'] = np.ones(3, dtype=np.float16)`;
      expect(spawnSync(PYTHON, ['-c', make, path]).status).toBe(0);
      await refuses(new Uint8Array(readFileSync(path)), /node\/nodes\/s\/scale: unsupported data type: 16-bit floats/);
    }
  });

  it('writeNir checks the whole graph before writing', async () => {
    const node = (params: Record<string, NirValue>, type = 'Scale'): NirNode => ({ type, params });
    const graph = (nodes: [string, NirNode][], edges: [string, string][] = []): NirGraph => ({ version: '0.2.0', nodes: new Map(nodes), edges });
    const cases: [NirGraph, RegExp][] = [
      [graph([['a/b', node({})]]), /invalid HDF5 name "a\/b"/],
      [graph([['a', node({ type: nirParam('x') })]]), /node\/nodes\/a\/type: 'type' is reserved/],
      [graph([['a', node({})]], [['a', 'b']]), /names unknown node 'b'/],
      [graph([['a', node({})]], [['a', 'a.x']]), /names unknown node 'a.x'/],
      [graph([['g', { type: 'NIRGraph', params: {} }]]), /a NIRGraph node needs `graph`/],
      [graph([['a', { type: 'LIF', params: {}, graph: { nodes: new Map(), edges: [] } }]]), /only a NIRGraph node has a nested graph/],
      [graph([['a', node({ s: { dtype: 'f32', shape: [2, 2], data: new Float32Array(3) } })]]), /node\/nodes\/a\/s: shape \[2,2\] holds 4 elements, data has 3/],
      [graph([['a', node({ s: { dtype: 'f32', shape: [1], data: new Float64Array(1) } as unknown as NirValue })]]), /data for dtype f32 must be a Float32Array/],
      [{ ...graph([]), version: '' }, /version: must be a non-empty string/],
    ];
    for (const [g, pattern] of cases) {
      const err = await writeNir(g).catch((e: unknown) => e);
      expect(err, String(pattern)).toBeInstanceOf(NirFileError);
      expect((err as Error).message).toMatch(pattern);
    }
  });

  it('nirParam and the readers of values refuse what does not fit', () => {
    expect(() => nirParam([1, 2, 3], [2, 2])).toThrow(/\[2,2\] holds 4 elements, data has 3/);
    expect(() => nirParam([1.5], undefined, 'i64')).toThrow(/must be an integer/);
    expect(() => nirParam([300], undefined, 'u8')).toThrow(/\[0, 255\]/);
    expect(() => nirParam(Float32Array.of(1), undefined, 'f64')).toThrow(/data is f32, dtype says f64/);
    expect(() => nirScalar(nirParam([1, 2]))).toThrow(ModelError);
    expect(() => nirArray(nirParam('x'))).toThrow(/is a string/);
    expect(() => nirArray(nirParam(BigInt64Array.of(2n ** 60n)))).toThrow(/beyond 2\^53/);
    expect(nirParam([4, 5, 6, 7], [2, 2], 'i32')).toEqual({ dtype: 'i32', shape: [2, 2], data: Int32Array.of(4, 5, 6, 7) });
    expect(nirParam(2.5)).toEqual({ dtype: 'f64', shape: [], data: Float64Array.of(2.5) });
    expect(nirArray(nirParam([-3, 9], undefined, 'i64'))).toEqual(Float64Array.of(-3, 9));
  });
});
