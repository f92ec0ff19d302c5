/**
 * Request bodies: large ones are read into reused buffers (http/server.ts, BufferPool). Many
 * concurrent large writes, gzip and chunked bodies must each arrive whole and unmixed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngine, type RunningEngine } from '../index';
import { representation } from '../testing/representation';
import { asciiJson } from '../text/ascii-json';
import { pooledBodyBuffers, readBody, type RequestBody } from './server';
import { gc } from '../testing/gc';

const ADMIN = 'bodies-admin-key';
let running: RunningEngine;
const headers = { 'x-algolia-application-id': 'BODIES', 'x-algolia-api-key': ADMIN };

beforeAll(async () => {
  running = await startEngine({ appId: 'BODIES', adminKey: ADMIN, maxRecordBytes: 100_000 });
});
afterAll(async () => {
  await running.close();
});

/** A batch of `n` records whose texts say which request and record they belong to. */
function batchOf(req: number, n: number, words: number): { requests: unknown[] } {
  return {
    requests: Array.from({ length: n }, (_, i) => ({
      action: 'addObject',
      body: {
        objectID: `r${req}-${i}`,
        text: `${'w'.repeat(3)}${req}x${i} `.repeat(words),
        note: 'naïve "quoted"',
      },
    })),
  };
}

async function post(
  body: BodyInit,
  extra: Record<string, string> = {},
  init: RequestInit = {},
): Promise<number> {
  const res = await fetch(`${running.url}/1/indexes/bodies/batch`, {
    method: 'POST',
    headers: { ...headers, ...extra },
    body,
    ...init,
  });
  const json = (await res.json()) as { taskID?: number };
  expect(res.status).toBe(200);
  return json.taskID ?? -1;
}

async function get(objectID: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${running.url}/1/indexes/bodies/${objectID}`, { headers });
  return (await res.json()) as Record<string, unknown>;
}

describe('request bodies', () => {
  it('reads many concurrent large bodies whole and unmixed', async () => {
    // 70–330 KB each: above the pool's minimum, several socket reads per body.
    const sizes = [700, 2400, 900, 3000, 800, 1900, 1200, 700, 2600, 1500, 1000, 2200];
    await Promise.all(sizes.map((words, req) => post(JSON.stringify(batchOf(req, 8, words)))));
    for (const [req, words] of sizes.entries()) {
      for (const i of [0, 7]) {
        const r = await get(`r${req}-${i}`);
        expect(r.text).toBe(`www${req}x${i} `.repeat(words));
        expect(r.note).toBe('naïve "quoted"');
      }
    }
  });

  it('reads gzip and chunked (no content-length) bodies', async () => {
    const zipped = await promisify(gzip)(Buffer.from(JSON.stringify(batchOf(100, 5, 300))));
    await post(zipped, { 'content-encoding': 'gzip' });
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        const bytes = Buffer.from(JSON.stringify(batchOf(101, 5, 300)));
        for (let at = 0; at < bytes.length; at += 50_000) c.enqueue(bytes.subarray(at, at + 50_000));
        c.close();
      },
    });
    await post(stream, {}, { duplex: 'half' } as RequestInit);
    expect((await get('r100-4')).text).toBe('www100x4 '.repeat(300));
    expect((await get('r101-4')).text).toBe('www101x4 '.repeat(300));
  });
});

describe("a Russian writer's batches", () => {
  it('are logged from their own bytes and read back whole after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ndf-bodies-'));
    try {
      const open = () => startEngine({ appId: 'BODIES', adminKey: ADMIN, dataDir: dir });
      let engine = await open();
      const text = (req: number, i: number): string =>
        `Запись ${req}-${i}: мне снилось тёмное море и маяк на краю… `.repeat(40);
      // Concurrent large bodies: each one's bytes are lent until it is logged, never mixed up.
      await Promise.all(
        [0, 1, 2, 3, 4, 5].map(async (req) => {
          const body = JSON.stringify({
            requests: Array.from({ length: 30 }, (_, i) => ({
              action: 'addObject',
              body: { objectID: `ru${req}-${i}`, text: text(req, i) },
            })),
          });
          const res = await fetch(`${engine.url}/1/indexes/ru/batch`, { method: 'POST', headers, body });
          expect(res.status).toBe(200);
        }),
      );
      // Each body's buffer went back to the pool once logged: a large ASCII body leaves one
      // there, and a Russian batch after it takes it and gives it back.
      const post = async (body: string): Promise<void> => {
        const res = await fetch(`${engine.url}/1/indexes/ru/batch`, { method: 'POST', headers, body });
        expect(res.status).toBe(200);
      };
      const many = (make: (i: number) => Record<string, unknown>): string =>
        JSON.stringify({
          requests: Array.from({ length: 30 }, (_, i) => ({ action: 'addObject', body: make(i) })),
        });
      await post(many((i) => ({ objectID: `a${i}`, t: 'x'.repeat(7_000) })));
      const before = pooledBodyBuffers();
      expect(before).toBeGreaterThan(0);
      await post(many((i) => ({ objectID: `b${i}`, text: text(9, i) })));
      expect(pooledBodyBuffers()).toBe(before);
      // Also when the path is refused after the body was read (no route to release it).
      const refused = await fetch(`${engine.url}/1/indexes/%E0/batch`, {
        method: 'POST',
        headers,
        body: many((i) => ({ objectID: `c${i}`, text: text(8, i) })),
      });
      expect(refused.status).toBe(400);
      expect(pooledBodyBuffers()).toBe(before);
      await engine.close();
      engine = await open();
      try {
        for (const req of [0, 3, 5])
          for (const i of [0, 29]) {
            const res = await fetch(`${engine.url}/1/indexes/ru/ru${req}-${i}`, { headers });
            expect(((await res.json()) as { text: string }).text).toBe(text(req, i));
          }
      } finally {
        await engine.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readBody with interleaved requests', () => {
  /** A fake request whose chunks the test pushes. */
  function fakeRequest(body: Buffer): PassThrough & { headers: Record<string, string> } {
    return Object.assign(new PassThrough(), { headers: { 'content-length': String(body.length) } });
  }
  /** readBody of `body` sent whole. */
  async function read(body: Buffer): Promise<RequestBody> {
    const req = fakeRequest(body);
    const reading = readBody(req);
    req.end(body);
    return reading;
  }
  /** Resolves once `s` has handed every pushed chunk to its reader. */
  async function consumed(s: PassThrough): Promise<void> {
    while (s.readableLength > 0) await new Promise((r) => setImmediate(r));
  }

  it('gives each of two requests read at the same time its own bytes', async () => {
    const bodies = [0, 1, 2, 3].map((k) =>
      Buffer.from(JSON.stringify({ k, text: `${k}`.repeat(200_000 - k * 30_000) })),
    );
    const reqs = bodies.map(fakeRequest);
    const reads = reqs.map((r) => readBody(r));
    // First halves of every body, then the second halves, so all four are being read at once.
    for (const [i, r] of reqs.entries()) {
      r.write(bodies[i]!.subarray(0, bodies[i]!.length >> 1));
      await consumed(r);
    }
    for (const [i, r] of reqs.entries()) r.end(bodies[i]!.subarray(bodies[i]!.length >> 1));
    const got = await Promise.all(reads);
    got.forEach((g, k) => expect(g.body).toEqual({ k, text: `${k}`.repeat(200_000 - k * 30_000) }));
    // And again: the buffers now come from the pool.
    const again = bodies.map((_, i) => fakeRequest(bodies[3 - i]!));
    const reads2 = again.map((r) => readBody(r));
    for (const [i, r] of again.entries()) {
      r.write(bodies[3 - i]!.subarray(0, 1000));
      await consumed(r);
    }
    for (const [i, r] of again.entries()) r.end(bodies[3 - i]!.subarray(1000));
    (await Promise.all(reads2)).forEach((g, i) => expect(g.body).toMatchObject({ k: 3 - i }));
  });

  it('lends the UTF-8 bytes of a text decoded as it is until released', async () => {
    const dense = (k: number): Buffer =>
      Buffer.from(JSON.stringify({ k, text: `Сон номер ${k}: маяк и море. `.repeat(6000) }));
    const first = await read(dense(1));
    expect(first.asciiText).toBe(false);
    expect(first.utf8?.equals(Buffer.from(first.text))).toBe(true);
    // Another body read meanwhile gets other memory: the lent bytes stay as they were.
    const second = await read(dense(2));
    expect(first.utf8?.equals(Buffer.from(first.text))).toBe(true);
    expect(second.utf8?.equals(Buffer.from(second.text))).toBe(true);
    first.release();
    first.release(); // idempotent: the buffer goes back once
    second.release();
    // Released, the pool hands one of them out again.
    const third = await read(dense(3));
    expect([first.utf8?.buffer, second.utf8?.buffer]).toContain(third.utf8?.buffer);
    third.release();
    // ASCII or escaped text has no bytes to lend (the log encodes it fast).
    expect((await read(Buffer.from(JSON.stringify({ t: 'plain ascii'.repeat(9000) })))).utf8).toBeUndefined();
    expect(
      (await read(Buffer.from(JSON.stringify({ t: 'a café in the old town square '.repeat(3000) })))).utf8,
    ).toBeUndefined();
  });

  it('decodes large bodies exactly (plain, escaped and UTF-8 text)', async () => {
    // Texts of 1.5 MB: plain (no escapes), ASCII with escapes, and UTF-8, each a different path.
    const word = (i: number): string => `w${String(i % 9973).padStart(4, '0')}`;
    const text = Array.from({ length: 250_000 }, (_, i) => word(i)).join(' ');
    for (const [value, strings] of [
      [text, 'plain'],
      [`${text}\\"\t`, 'any'],
      [`${text} café`, 'unescaped'],
      [`${text} “café”\n`, 'any'],
    ] as const) {
      const body = Buffer.from(JSON.stringify({ value }));
      const got = await read(body);
      // Non-ASCII characters come escaped: the text is one byte per character.
      expect(got.text).toBe(asciiJson(body.toString('utf8')));
      expect(representation(got.text)).toBe('one-byte');
      expect({ strings: got.strings, asciiText: got.asciiText }).toEqual({ strings, asciiText: true });
      expect(got.body).toEqual({ value });
    }
  });

  it('decodes as they are the bodies escaping could change: not UTF-8, or a byte order mark', async () => {
    const latin1 = Buffer.concat([Buffer.from('{"value":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
    const bom = Buffer.from('\ufeff{"value":"café"}');
    for (const [body, value, strings] of [
      [latin1, 'caf\ufffd', 'any'],
      [bom, 'café', 'unescaped'],
    ] as const) {
      const got = await read(body);
      expect(got.body).toEqual({ value });
      expect({ strings: got.strings, asciiText: got.asciiText }).toEqual({ strings, asciiText: false });
    }
    // Escaped, `"\\é"` (invalid) would read as `"\\\\u00e9"` (valid).
    await expect(read(Buffer.from('{"value":"\\é"}'))).rejects.toThrow('Invalid JSON in the request body');
  });

  it('decodes a large dense non-Latin body as it is, exactly, into heap strings', async () => {
    // Escaped it would be over 1.5 times its UTF-8: decoded as it is, through the faster decoder.
    const value = 'Мне снилось, что я летаю над тёмной рекой 😀 и никто не видел меня. '.repeat(40_000);
    const body = Buffer.from(`  ${JSON.stringify({ value, n: 1 })}\n`);
    const nonBuffer = (): number => {
      const m = process.memoryUsage();
      return m.external - m.arrayBuffers;
    };
    const kept: RequestBody[] = [];
    // The transcoder's UTF-16 buffers count as external memory until collected and released
    // (after the collection, on a later turn): both done before each measure.
    const settle = async (): Promise<void> => {
      gc();
      await new Promise((r) => setImmediate(r));
      gc();
    };
    await settle();
    const before = nonBuffer();
    for (let i = 0; i < 3; i++) kept.push(await read(body));
    await settle();
    for (const got of kept) {
      expect(got.text === body.toString('utf8').trim()).toBe(true);
      expect(got.body).toEqual({ value, n: 1 });
      expect({ strings: got.strings, asciiText: got.asciiText }).toEqual({
        strings: 'unescaped',
        asciiText: false,
      });
    }
    // Three 5.7 MB texts held (two bytes per character): 17 MB more if they were external strings.
    expect(nonBuffer() - before).toBeLessThan(4_000_000);
  });

  it('decodes a large ASCII body into a heap string, not external memory', async () => {
    // External strings count towards V8's external-memory limit: every 64 MB of them since the
    // last full collection starts another one (a bulk import's bodies were most of its full GCs).
    const value = 'plain ascii words '.repeat(200_000); // 3.6 MB
    const body = Buffer.from(JSON.stringify({ value }));
    const nonBuffer = (): number => {
      const m = process.memoryUsage();
      return m.external - m.arrayBuffers;
    };
    const kept: string[] = [];
    const before = nonBuffer();
    for (let i = 0; i < 4; i++) {
      const req = fakeRequest(body);
      const read = readBody(req);
      req.end(body);
      kept.push((await read).text);
    }
    expect(kept.every((t) => t.length === body.length)).toBe(true);
    // Four 3.6 MB texts held: 14 MB more external memory if they were external strings.
    expect(nonBuffer() - before).toBeLessThan(4_000_000);
  });
});
