/**
 * Messages between the trainer and its replica threads (data-parallel training on the CPU). The
 * parameters live in SharedArrayBuffers that every replica reads; each replica writes its
 * gradients into its own shared buffer; the data sets are shared once. Only indices, losses and
 * scores travel in messages.
 */
import type { ActivitySpec, LossSpec, ModelSpec } from '../spec.js';

export interface SharedDataset {
  x: SharedArrayBuffer;
  labels: SharedArrayBuffer;
}

export interface ReplicaInit {
  kind: 'init';
  spec: ModelSpec;
  /** One buffer per parameter, in the model's parameter order. */
  params: SharedArrayBuffer[];
  /** This replica's gradients, every parameter's in order, concatenated. */
  grads: SharedArrayBuffer;
  train: SharedDataset;
  test: SharedDataset | null;
  loss: LossSpec;
  activity?: ActivitySpec;
}

export interface ReplicaWork {
  kind: 'train' | 'eval';
  id: number;
  /** Sample indices of this replica's share of the batch (into train, or test for eval). */
  indices: Uint32Array;
}

export interface ReplicaResult {
  kind: 'result';
  id: number;
  losses: Float32Array;
  scores: Float32Array;
}

export interface ReplicaFailure {
  kind: 'error';
  id: number;
  message: string;
  field?: string;
}

export type ToReplica = ReplicaInit | ReplicaWork;
export type FromReplica = ReplicaResult | ReplicaFailure | { kind: 'ready' };
