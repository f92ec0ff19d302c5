/**
 * Structured JSON logs, one object per line. Callers pass only safe fields: user ids, index names,
 * objectIDs, outcomes, latencies — never tokens, keys or record contents.
 */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** Where log lines go (stderr by default, so stdout stays free for readiness lines). */
export type LogSink = (line: string) => void;

// Field names that must never reach a log line even if a caller passes them by mistake.
const forbidden = /token|authorization|secret|password|api_?key|searchKey|adminKey/i;

function redact(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(fields)) out[k] = forbidden.test(k) ? '[redacted]' : v;
  return out;
}

/** A JSON-lines logger writing to `sink`. */
export function createLogger(
  sink: LogSink = (line) => process.stderr.write(line + '\n'),
  base: Record<string, unknown> = {},
): Logger {
  const write = (level: string, event: string, fields: Record<string, unknown> = {}): void => {
    sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...base, ...redact(fields) }));
  };
  return {
    info: (event, fields) => write('info', event, fields),
    warn: (event, fields) => write('warn', event, fields),
    error: (event, fields) => write('error', event, fields),
  };
}

/** A logger that drops everything (quiet tests). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };
