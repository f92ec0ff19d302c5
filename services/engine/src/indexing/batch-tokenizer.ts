/**
 * Runs `Vocabularies.tokenize` (tokenize-batch.ts) on a worker thread, so a bulk import's tokenizing (the largest
 * share of indexing) overlaps the main thread's request parsing, logging and index updates.
 *
 * The worker is started on first use and never keeps the process alive. From the TypeScript
 * sources (tests, `npm start`) its code is bundled in memory with esbuild, since Node 20 workers
 * cannot load TypeScript; the engine's bundle (`bin/engine.mjs`) ships it as
 * `tokenize-worker.mjs` beside itself. If the worker cannot start or dies, jobs fail and the
 * caller tokenizes on the main thread: slower, never wrong.
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { TokenizedBatch, TokenizeJob } from './tokenize-batch';

let sourceBundle: string | undefined;

async function startWorker(): Promise<Worker> {
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./tokenize-worker.mjs', import.meta.url));
  if (sourceBundle === undefined) {
    const { build } = await import('esbuild');
    const out = await build({
      entryPoints: [fileURLToPath(new URL('./tokenize-worker.ts', import.meta.url))],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    });
    sourceBundle = out.outputFiles[0]?.text ?? '';
  }
  return new Worker(sourceBundle, { eval: true });
}

/** One worker, jobs answered in order. */
export class BatchTokenizer {
  private worker: Promise<Worker> | null = null;
  private failed = false;
  private nextId = 0;
  private readonly waiting = new Map<
    number,
    { resolve: (b: TokenizedBatch) => void; reject: (e: Error) => void }
  >();

  /** False once the worker failed (callers then stop sending jobs). */
  get usable(): boolean {
    return !this.failed;
  }

  /** Tokenizes `job` on the worker; rejects if the worker is unavailable. */
  async tokenize(job: TokenizeJob): Promise<TokenizedBatch> {
    if (this.failed) throw new Error('tokenizer worker unavailable');
    this.worker ??= this.start();
    const worker = await this.worker;
    const id = ++this.nextId;
    const answer = new Promise<TokenizedBatch>((resolve, reject) =>
      this.waiting.set(id, { resolve, reject }),
    );
    worker.postMessage({ id, job });
    return answer;
  }

  private async start(): Promise<Worker> {
    try {
      const worker = await startWorker();
      worker.unref();
      worker.on('message', (msg: { id: number; out: TokenizedBatch }) => {
        const w = this.waiting.get(msg.id);
        this.waiting.delete(msg.id);
        w?.resolve(msg.out);
      });
      const fail = (why: string): void => {
        if (!this.failed)
          process.stderr.write(`engine: tokenizer worker stopped (${why}); tokenizing on the main thread\n`);
        this.failed = true;
        for (const w of this.waiting.values()) w.reject(new Error(why));
        this.waiting.clear();
      };
      worker.on('error', (e) => fail(e.message));
      worker.on('exit', (code) => {
        if (!this.closing) fail(`exit ${code}`);
      });
      return worker;
    } catch (e) {
      this.failed = true;
      throw e;
    }
  }

  private closing = false;

  /** Stops the worker; pending jobs fail. */
  async close(): Promise<void> {
    this.closing = true;
    this.failed = true;
    const w = this.worker;
    this.worker = null;
    for (const x of this.waiting.values()) x.reject(new Error('tokenizer closed'));
    this.waiting.clear();
    if (w) await (await w.catch(() => null))?.terminate();
  }
}
