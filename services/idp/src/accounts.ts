import { createHash, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/** The demo accounts shipped with the package (ada, grace, linus). */
export const DEFAULT_ACCOUNTS_FILE = fileURLToPath(new URL('../accounts.json', import.meta.url));

const accountSchema = z
  .object({
    /** Sign-in name; compared case-insensitively. */
    username: z
      .string()
      .regex(/^[a-z0-9][a-z0-9._-]{0,63}$/, 'lowercase letters, digits, ".", "_" or "-", at most 64'),
    /** Demo passwords are stored in clear: this is a development provider and the stack prints them. */
    password: z.string().min(8).max(256),
    /** Stable OIDC subject. Never reuse one for another person: records are owned by `sub`. */
    sub: z.string().regex(/^[\x21-\x7e]{1,255}$/, 'printable ASCII without spaces, at most 255'),
    name: z.string().trim().min(1).max(200),
    email: z.email().optional(),
    picture: z.url({ protocol: /^https?$/ }).optional(),
  })
  .strict();

const accountsFileSchema = z
  .object({ accounts: z.array(accountSchema).min(1).max(1000) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = { username: new Set<string>(), sub: new Set<string>() };
    file.accounts.forEach((account, index) => {
      for (const key of ['username', 'sub'] as const) {
        if (seen[key].has(account[key])) {
          ctx.addIssue({ code: 'custom', path: ['accounts', index, key], message: `duplicate ${key}` });
        }
        seen[key].add(account[key]);
      }
    });
  });

/** One demo account as read from the accounts file. */
export type AccountRecord = z.infer<typeof accountSchema>;
/** The accounts file's shape: `{"accounts": [...]}`. */
export type AccountsFile = z.input<typeof accountsFileSchema>;

/** Parses and validates accounts data; throws an Error naming every problem. */
export function parseAccounts(data: unknown, source = 'accounts'): AccountRecord[] {
  const parsed = accountsFileSchema.safeParse(data);
  if (!parsed.success) {
    throw new Error(`invalid ${source}:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data.accounts;
}

/** Reads and validates an accounts JSON file. */
export async function loadAccountsFile(path: string): Promise<AccountRecord[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new Error(`cannot read accounts file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new Error(`accounts file ${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  return parseAccounts(data, `accounts file ${path}`);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The OIDC claims this provider can release for an account. */
export interface AccountClaims {
  sub: string;
  name: string;
  preferred_username: string;
  picture?: string;
  email?: string;
  email_verified?: boolean;
}

/**
 * The demo account directory: password checks and claims.
 *
 * Password checks take the same time whether or not the username exists and whatever the
 * password is (fixed-length digests compared with `timingSafeEqual`), so a caller cannot
 * enumerate accounts by timing.
 */
export class AccountStore {
  readonly #byUsername = new Map<string, { account: AccountRecord; passwordDigest: Buffer }>();
  readonly #bySub = new Map<string, AccountRecord>();
  /** Compared against when the username is unknown, to keep timing uniform. */
  readonly #decoy = digest('decoy-password-that-never-matches');

  constructor(readonly accounts: readonly AccountRecord[]) {
    for (const account of accounts) {
      this.#byUsername.set(account.username, { account, passwordDigest: digest(account.password) });
      this.#bySub.set(account.sub, account);
    }
  }

  /** Returns the account when username and password match, otherwise undefined. */
  verifyPassword(username: string, password: string): AccountRecord | undefined {
    const entry = this.#byUsername.get(username.trim().toLowerCase());
    const matches = timingSafeEqual(digest(password), entry?.passwordDigest ?? this.#decoy);
    return matches && entry ? entry.account : undefined;
  }

  /** Looks an account up by its OIDC subject. */
  findBySub(sub: string): AccountRecord | undefined {
    return this.#bySub.get(sub);
  }

  /** Every identity claim of an account (oidc-provider filters them by the granted scopes). */
  static claimsOf(account: AccountRecord): AccountClaims {
    return {
      sub: account.sub,
      name: account.name,
      preferred_username: account.username,
      ...(account.picture === undefined ? {} : { picture: account.picture }),
      ...(account.email === undefined ? {} : { email: account.email, email_verified: true }),
    };
  }
}
