/**
 * Tokenizer for Algolia's `filters` string, token for token the one Algolia's own validator
 * (npm `algolia-filters-js-syntax-validator`) uses, so that error messages and their columns match.
 *
 * Only the space character separates tokens (tabs and newlines belong to the token they are in,
 * as in Algolia's lexer). Unquoted runs stop at space ( ) < > = ! : ' " and may contain anything
 * else (/ . , - \ included). Columns are 0-based string offsets (UTF-16 code units).
 */

export type TokenType =
  | 'start'
  | 'emptyString'
  | 'incompleteString'
  | 'error'
  | 'string'
  | 'numeric'
  | 'colon'
  | 'to'
  | 'openParen'
  | 'closeParen'
  | 'or'
  | 'and'
  | 'not'
  | 'end'
  | 'openAngle'
  | 'closeAngle'
  | 'comma'
  | 'operator';

export interface Token {
  readonly type: TokenType;
  /** The text: for a quoted string, what is between the quotes, escapes not yet resolved. */
  readonly value: string;
  /** How many characters of the input the token spans. */
  readonly length: number;
  /** 0-based column. */
  readonly pos: number;
  readonly quoted: boolean;
}

/** How Algolia names each token in `Unexpected token X expected Y` messages. */
export const TOKEN_NAMES: Readonly<Record<TokenType, string>> = {
  start: '',
  emptyString: 'empty string',
  incompleteString: 'incomplete string',
  error: '!',
  string: 'string',
  numeric: 'numeric',
  colon: "':'",
  to: "'TO'",
  openParen: "'('",
  closeParen: "')'",
  or: "'OR'",
  and: "'AND'",
  not: "'NOT'",
  end: 'end of filter',
  openAngle: '<',
  closeAngle: '>',
  comma: ',',
  operator: 'numeric operator',
};

const SEPARATORS = new Set([' ', '(', ')', '<', '>', '=', '!', ':', "'", '"']);

function token(type: TokenType, value: string, length: number, pos: number, quoted = false): Token {
  return { type, value, length, pos, quoted };
}

function readUnquoted(s: string, i: number): Token {
  let end = i;
  let onlyNumeric = true;
  let dots = 0;
  while (end < s.length && !SEPARATORS.has(s[end] as string)) {
    const c = s[end] as string;
    if (onlyNumeric) {
      if (c >= '0' && c <= '9') {
        // digit: fine
      } else if (end === i && c === '-') {
        // leading minus
      } else if (end > i && c === '.' && ++dots === 1) {
        // one dot, not first
      } else {
        onlyNumeric = false;
      }
    }
    end++;
  }
  const text = s.slice(i, end);
  // Keywords are uppercase only; `and`, `or`, `not`, `to` are plain strings.
  switch (text) {
    case 'OR':
      return token('or', text, text.length, i);
    case 'TO':
      return token('to', text, text.length, i);
    case 'NOT':
      return token('not', text, text.length, i);
    case 'AND':
      return token('and', text, text.length, i);
    default:
      return token(onlyNumeric ? 'numeric' : 'string', text, text.length, i);
  }
}

function readQuoted(s: string, i: number): Token {
  const quote = s[i] as string;
  let escape = false;
  for (let end = i + 1; end < s.length; end++) {
    const c = s[end];
    if (c === quote && !escape) {
      if (end === i + 1) return token('emptyString', quote + quote, 2, end);
      return token('string', s.slice(i + 1, end), end - i + 1, i, true);
    }
    escape = c === '\\' ? !escape : false;
  }
  return token('incompleteString', s.slice(i + 1), s.length - i, i, true);
}

function readToken(s: string, i: number): Token {
  const c = s[i];
  const next = s[i + 1];
  switch (c) {
    case '=':
      return token('operator', '=', 1, i);
    case '<':
      return next === '=' ? token('operator', '<=', 2, i) : token('openAngle', '<', 1, i);
    case '>':
      return next === '=' ? token('operator', '>=', 2, i) : token('closeAngle', '>', 1, i);
    case '!':
      return next === '=' ? token('operator', '!=', 2, i) : token('error', '!', 1, i);
    case '(':
      return token('openParen', '(', 1, i);
    case ')':
      return token('closeParen', ')', 1, i);
    case ':':
      return token('colon', ':', 1, i);
    case ',':
      return token('comma', ',', 1, i);
    case '"':
    case "'":
      return readQuoted(s, i);
    default:
      return readUnquoted(s, i);
  }
}

/**
 * Splits `s` into tokens, starting with a `start` token and ending with `end` — or, when a lone
 * `!` is met, ending with that `error` token (Algolia stops lexing there).
 */
export function tokenize(s: string): { tokens: Token[]; ok: boolean } {
  const tokens: Token[] = [token('start', '', 0, 0)];
  let i = 0;
  while (i < s.length && s[i] === ' ') i++;
  while (i < s.length) {
    const t = readToken(s, i);
    tokens.push(t);
    if (t.type === 'error') return { tokens, ok: false };
    i += t.length;
    while (i < s.length && s[i] === ' ') i++;
  }
  tokens.push(token('end', '', 0, s.length));
  return { tokens, ok: true };
}

/**
 * The text a quoted token stands for: a backslash before a quote or a backslash stands for that
 * character; any other backslash is kept (`"\n"` is a backslash and an n, not a newline).
 */
export function unescapeQuoted(raw: string): string {
  return raw.replace(/\\(["'\\])/g, '$1');
}

/** The value a string/numeric token stands for. Unquoted text is taken literally. */
export function tokenText(t: Token): string {
  return t.quoted ? unescapeQuoted(t.value) : t.value;
}
