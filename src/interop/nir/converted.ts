/**
 * A converted SNN (src/convert: the ANN's weights normalized, integrate-and-fire neurons of
 * threshold 1, bias a constant input each step) as a NIR graph: Input (the image's shape), then
 * per stage an Affine (dense) or Conv2d (with its stride, padding and bias) into IF nodes
 * (r 1, threshold 1, reset 0), and an Output. The converter steps in discrete time, v += input:
 * import the graph with dt = 1 s, which makes NIR's dv/dt = r x one step of x, and with the
 * reset mode the SNN ran with. Max-pool gates (a spike passes when its unit won the pool so far)
 * have no NIR node and are refused.
 */
import { ModelError } from '../../util/validate.js';
import type { ConvertedNet } from '../../convert/convert.js';
import { nirParam, type NirGraph, type NirNode } from './graph.js';
import { NIR_EXPORT_VERSION } from './export.js';

const i64 = (v: number[]) => nirParam(v, [v.length], 'i64');

export function convertedToNir(net: ConvertedNet): NirGraph {
  const { c, h, w } = net.inShape;
  const nodes = new Map<string, NirNode>([['input', { type: 'Input', params: { shape: i64([c, h, w]) } }]]);
  const edges: [string, string][] = [];
  let prev = 'input';
  net.stages.forEach((s, l) => {
    if (s.gate) throw new ModelError(`stages[${l}].gate`, `a ${s.gate} x ${s.gate} max-pool gate has no NIR node; convert with average pooling to export`);
    const out = s.outShape.c * s.outShape.h * s.outShape.w;
    const op = `layer${l}`;
    if (s.op === 'dense') {
      const inSize = s.inShape.c * s.inShape.h * s.inShape.w;
      if (prev === 'input' || s.srcShape.h * s.srcShape.w > 1) {
        nodes.set(`${op}.flatten`, { type: 'Flatten', params: { start_dim: nirParam(0, [], 'i64'), end_dim: nirParam(-1, [], 'i64'), input_type: i64([s.inShape.c, s.inShape.h, s.inShape.w]) } });
        edges.push([prev, `${op}.flatten`]);
        prev = `${op}.flatten`;
      }
      nodes.set(op, { type: 'Affine', params: { weight: nirParam(s.weight, [out, inSize]), bias: nirParam(s.bias, [out]) } });
    } else {
      nodes.set(op, {
        type: 'Conv2d',
        params: {
          weight: nirParam(s.weight, [s.outShape.c, s.inShape.c, s.kernel, s.kernel]),
          bias: nirParam(s.bias, [s.outShape.c]),
          stride: i64([s.stride, s.stride]),
          padding: i64([s.pad, s.pad]),
          dilation: i64([1, 1]),
          groups: nirParam(1, [], 'i64'),
          input_shape: i64([s.inShape.h, s.inShape.w]),
        },
      });
    }
    edges.push([prev, op]);
    const shape = s.op === 'dense' ? [out] : [s.outShape.c, s.outShape.h, s.outShape.w];
    const ones = new Float32Array(out).fill(1);
    nodes.set(`if${l}`, { type: 'IF', params: { r: nirParam(ones, shape), v_threshold: nirParam(ones.slice(), shape), v_reset: nirParam(new Float32Array(out), shape) } });
    edges.push([op, `if${l}`]);
    prev = `if${l}`;
  });
  nodes.set('output', { type: 'Output', params: { shape: i64([net.classes]) } });
  edges.push([prev, 'output']);
  return { version: NIR_EXPORT_VERSION, nodes, edges };
}
