/**
 * A structured logger. Call sites pass an event name and fields; fields whose names look
 * secret are replaced before anything is written, as a second line of defence (the first is
 * never passing a code, token or key at all).
 */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

const SECRET_FIELD = /token|secret|password|code|verifier|key|authorization|cookie|state|nonce/i;

/** Copies `fields`, replacing values of secret-looking names with `[redacted]`. */
export function redact(fields: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    out[name] = SECRET_FIELD.test(name) && name !== 'errorCode' ? '[redacted]' : value;
  }
  return out;
}

/** Writes one JSON line per event to a sink (stderr by default). */
export function createLogger(
  scope: string,
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const emit = (level: string, event: string, fields?: Record<string, unknown>): void => {
    write(JSON.stringify({ t: new Date().toISOString(), level, scope, event, ...redact(fields) }));
  };
  return {
    info: (event, fields) => emit('info', event, fields),
    warn: (event, fields) => emit('warn', event, fields),
    error: (event, fields) => emit('error', event, fields),
  };
}

/** A logger that keeps entries in memory (tests assert on them, e.g. that nothing secret is logged). */
export function createMemoryLogger(): Logger & {
  readonly entries: { level: string; event: string; fields: Record<string, unknown> }[];
} {
  const entries: { level: string; event: string; fields: Record<string, unknown> }[] = [];
  const push = (level: string) => (event: string, fields?: Record<string, unknown>) => {
    entries.push({ level, event, fields: redact(fields) });
  };
  return { entries, info: push('info'), warn: push('warn'), error: push('error') };
}

/** Discards everything. */
export const silentLogger: Logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
