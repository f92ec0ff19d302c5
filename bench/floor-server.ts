/**
 * The "transport floor" server of bench/engine.ts (baseline c): a node:http server that does only
 * what any server answering the Algolia protocol must do — read the request body, JSON-parse it,
 * send a response — and none of the engine's work. Its answers are the engine's own response texts,
 * captured byte for byte in the same benchmark run, so the client parses exactly the same bytes.
 *
 * Run (the benchmark does this as a child process, like the engine):
 * `node --import tsx bench/floor-server.ts --responses FILE [--port N]`. FILE is JSON:
 * `[{ "apiKey": "...", "body": "<request body text>", "response": "<response text>" }, …]`; a
 * request is answered with the response whose API key header and body text both match, and with a
 * 404 (never a made-up answer) when none does. Prints one line `listening on http://127.0.0.1:PORT`.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';

/** One captured exchange: the request's API key and body text, and the engine's response text. */
export const floorResponseSchema = z.object({
  apiKey: z.string().min(1),
  body: z.string().min(1),
  response: z.string(),
});
/** See {@link floorResponseSchema}. */
export type FloorResponse = z.infer<typeof floorResponseSchema>;

const lookupKey = (apiKey: string, body: string): string => `${apiKey}\n${body}`;

/** Creates the floor server (not listening) answering the given captured exchanges. */
export function createFloorServer(responses: readonly FloorResponse[]): Server {
  const answers = new Map<string, { text: string; bytes: number }>();
  for (const r of responses) {
    // Content length computed once: the floor is the least any server must do per request.
    answers.set(lookupKey(r.apiKey, r.body), { text: r.response, bytes: Buffer.byteLength(r.response) });
  }
  const send = (res: ServerResponse, status: number, text: string, bytes: number): void => {
    res.writeHead(status, {
      // The engine's headers (services/engine/src/http/server.ts), so the client does the same work.
      'access-control-allow-origin': '*',
      vary: 'Origin',
      'content-type': 'application/json; charset=UTF-8',
      'content-length': bytes,
    });
    res.end(text);
  };
  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    try {
      // The engine parses every body; so does the floor (the result is not needed to answer).
      JSON.parse(text);
    } catch {
      const error = JSON.stringify({ message: 'Invalid JSON in the request body', status: 400 });
      send(res, 400, error, Buffer.byteLength(error));
      return;
    }
    const apiKey = req.headers['x-algolia-api-key'];
    const answer = typeof apiKey === 'string' ? answers.get(lookupKey(apiKey, text)) : undefined;
    if (answer === undefined) {
      const error = JSON.stringify({
        message: 'floor server: no captured response for this request',
        status: 404,
      });
      send(res, 404, error, Buffer.byteLength(error));
      return;
    }
    send(res, 200, answer.text, answer.bytes);
  };
  return createServer({ keepAliveTimeout: 65_000 }, (req, res) => {
    handle(req, res).catch((e: unknown) => {
      process.stderr.write(`floor server: ${e instanceof Error ? e.message : String(e)}\n`);
      res.destroy();
    });
  });
}

/** Starts the floor server on 127.0.0.1 (port 0: ephemeral) for in-process use. */
export async function startFloorServer(options: {
  responses: readonly FloorResponse[];
  port?: number;
}): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createFloorServer(options.responses);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((e) => (e ? reject(e) : resolve()));
        server.closeAllConnections(); // the client keeps its sockets alive
      }),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { responses: { type: 'string' }, port: { type: 'string' } },
    strict: true,
  });
  const config = z
    .object({
      responses: z.string({ error: 'missing --responses FILE' }).min(1, 'empty --responses'),
      port: z.coerce.number().int().min(0).max(65_535).default(0),
    })
    .safeParse(values);
  if (!config.success) {
    throw new Error(config.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; '));
  }
  const parsed = z
    .array(floorResponseSchema)
    .safeParse(JSON.parse(readFileSync(config.data.responses, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${config.data.responses}: [${issue?.path.join('.')}] ${issue?.message ?? 'invalid'}`);
  }
  const responses = parsed.data;
  const running = await startFloorServer({ responses, port: config.data.port });
  process.stdout.write(`listening on ${running.url}\n`);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    running.close().then(
      () => process.exit(0),
      (e: unknown) => {
        process.stderr.write(`floor server: shutdown failed: ${String(e)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    process.stderr.write(`floor server: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
