/**
 * The entry of a replica thread (built to dist/node/train-worker.js): builds a Replica from the
 * init message, then answers each batch share with its losses and scores.
 */
import { parentPort } from 'node:worker_threads';
import { ModelError } from '../../util/validate.js';
import type { FromReplica, ToReplica } from './protocol.js';
import { Replica } from './replica.js';

let replica: Replica | null = null;
const port = parentPort!;
port.on('message', (msg: ToReplica) => {
  const reply = (m: FromReplica) => port.postMessage(m);
  try {
    if (msg.kind === 'init') {
      replica = new Replica(msg);
      reply({ kind: 'ready' });
    } else {
      if (!replica) throw new Error('replica used before init');
      reply(replica.run(msg));
    }
  } catch (e) {
    reply({ kind: 'error', id: msg.kind === 'init' ? -1 : msg.id, message: e instanceof Error ? e.message : String(e), field: e instanceof ModelError ? e.field : undefined });
  }
});
