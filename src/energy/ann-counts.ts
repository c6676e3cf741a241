/**
 * WorkCounts of work that is not a spiking simulation: an ANN's layers (MACs) and crossbar
 * matrix-vector reads, counted the same way as the engine's counts so that both are priced by
 * the same energy model (model.ts).
 */
import type { CrossbarConfig } from '../crossbar/crossbar.js';
import { ModelError, requireInt } from '../util/validate.js';
import { type WorkCounts, zeroCounts } from '../engine/work-counts.js';

/**
 * An ANN layer: dense (inputs x outputs), or a convolution by its output size, kernel, stride
 * (default 1), zero padding on each side (default 0) and, optionally, its input size (which makes
 * the input bytes exact where the outputs do not reach the bottom or right padding).
 */
export type AnnLayer =
  | { kind: 'dense'; inputs: number; outputs: number }
  | { kind: 'conv'; inChannels: number; outChannels: number; kernelH: number; kernelW: number; outH: number; outW: number; stride?: number; pad?: number; inH?: number; inW?: number };

/**
 * Work of one forward pass: one MAC per weight use (dense: inputs x outputs; conv: outH x outW x
 * outChannels x kernelH x kernelW x inChannels); memoryBytes counts f32 weights and input and
 * output activations once each (biases, pooling and activations are left out); a conv's input is
 * the rows x columns its windows read (see below) x inChannels.
 */
export function annWorkCounts(layers: AnnLayer[]): WorkCounts {
  if (!Array.isArray(layers) || layers.length === 0) throw new ModelError('layers', 'must be a non-empty array of dense or conv layers');
  const out = zeroCounts();
  layers.forEach((l, k) => {
    const f = (name: string, v: number) => requireInt(`layers[${k}].${name}`, v, 1);
    if (l.kind === 'dense') {
      const macs = f('inputs', l.inputs) * f('outputs', l.outputs);
      out.macs += macs;
      out.memoryBytes += 4 * (macs + l.inputs + l.outputs);
    } else if (l.kind === 'conv') {
      const weights = f('outChannels', l.outChannels) * f('kernelH', l.kernelH) * f('kernelW', l.kernelW) * f('inChannels', l.inChannels);
      const outputs = f('outH', l.outH) * f('outW', l.outW) * l.outChannels;
      out.macs += outputs * l.kernelH * l.kernelW * l.inChannels;
      // Input activations: the input rows (columns) the outputs read. The windows span rows -pad to
      // (out - 1) stride - pad + kernel - 1; the pad rows above are zeros, and so are those below
      // the input: with the input size given, min(in, (out - 1) stride + kernel - pad); without
      // it, (out - 1) stride + kernel - 2 pad (exact when the last window reaches the bottom pad).
      const stride = f('stride', l.stride ?? 1);
      const pad = requireInt(`layers[${k}].pad`, l.pad ?? 0, 0);
      const span = (o: number, kernel: number, size: number | undefined, name: 'inH' | 'inW') => {
        const reach = (o - 1) * stride + kernel - pad;
        const v = size === undefined ? reach - pad : Math.min(f(name, size), reach);
        if (v < 1) throw new ModelError(`layers[${k}].pad`, `${pad} leaves no input under the ${o} outputs of kernel ${kernel}, stride ${stride}`);
        return v;
      };
      const inputs = span(l.outH, l.kernelH, l.inH, 'inH') * span(l.outW, l.kernelW, l.inW, 'inW') * l.inChannels;
      out.memoryBytes += 4 * (weights + inputs + outputs);
    } else {
      throw new ModelError(`layers[${k}].kind`, `must be 'dense' or 'conv', got ${String((l as { kind: unknown }).kind)}`);
    }
  });
  return out;
}

/**
 * Work of `vectors` matrix-vector products on a crossbar: one read per vector per row tile, and
 * one cell read per weight (a differential pair of devices) per vector.
 */
export function crossbarWorkCounts(config: Pick<CrossbarConfig, 'inputs' | 'outputs' | 'tile_rows'>, vectors: number): WorkCounts {
  requireInt('vectors', vectors, 0);
  const out = zeroCounts();
  out.crossbarReads = vectors * Math.ceil(config.inputs / config.tile_rows);
  out.crossbarCellReads = vectors * config.inputs * config.outputs;
  return out;
}
