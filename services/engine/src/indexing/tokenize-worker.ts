/** Worker thread entry: tokenizes batches (see tokenize-batch.ts), one message per job, in order. */
import { parentPort } from 'node:worker_threads';
import { Vocabularies, type TokenizeJob } from './tokenize-batch';

const port = parentPort;
const vocabularies = new Vocabularies();
if (port) {
  port.on('message', (msg: { id: number; job: TokenizeJob }) => {
    const out = vocabularies.tokenize(msg.job);
    const transfer = [
      out.tokens.buffer as ArrayBuffer,
      out.tokenEnds.buffer as ArrayBuffer,
      out.starts.buffer as ArrayBuffer,
      out.segment.terms.buffer as ArrayBuffer,
      out.segment.offs.buffer as ArrayBuffer,
      out.segment.ids.buffer as ArrayBuffer,
    ];
    port.postMessage({ id: msg.id, out }, transfer);
  });
}
