import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { errors, type InteractionResults } from 'oidc-provider';
import { z } from 'zod';
import type { AccountStore } from './accounts';
import type { LoginThrottle } from './login-throttle';
import { consentPage, errorPage, loginPage, pageHeaders } from './pages';

/** The one message for any failed sign-in: it never tells whether the username exists. */
export const LOGIN_FAILED_MESSAGE = 'The username or password is incorrect.';

const MAX_FORM_BYTES = 8 * 1024;

const loginForm = z.object({
  username: z.string().max(64),
  password: z.string().max(256),
});

/** Dependencies of {@link handleInteraction}. */
export interface InteractionDeps {
  provider: Provider;
  accounts: AccountStore;
  /** Origin of the issuer: the only origin allowed to post the forms. */
  issuerOrigin: string;
  /** Human description for each scope; unknown scopes are shown by name. */
  describeScope: (scope: string) => string;
  /** Failed sign-ins per username. */
  throttle: LoginThrottle;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
  ) {
    super(message);
  }
}

function send(
  res: ServerResponse,
  status: number,
  html: string,
  formTargets: readonly string[] = [],
  extraHeaders: Record<string, string> = {},
): void {
  res.writeHead(status, { ...pageHeaders(formTargets), ...extraHeaders });
  res.end(html);
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpError(
      415,
      'Unsupported request',
      'This form must be sent as application/x-www-form-urlencoded.',
    );
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_FORM_BYTES) throw new HttpError(413, 'Request too large', 'The form data is too large.');
    chunks.push(buffer);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Cross-site form posts are refused outright. The interaction cookie is SameSite=Lax and scoped
 * to the interaction's path, so a forged post would fail anyway; this makes it explicit.
 */
function assertSameOrigin(req: IncomingMessage, issuerOrigin: string): void {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if ((origin !== undefined && origin !== issuerOrigin) || site === 'cross-site' || site === 'same-site') {
    throw new HttpError(403, 'Request refused', 'This form can only be sent from the sign-in page itself.');
  }
}

/** Origin of the app's redirect URI, which the page's form-action must allow (see pageHeaders). */
function redirectOrigin(params: Record<string, unknown>): string[] {
  const uri = typeof params.redirect_uri === 'string' ? URL.parse(params.redirect_uri) : null;
  return uri ? [uri.origin] : [];
}

async function clientName(provider: Provider, clientId: unknown): Promise<string> {
  if (typeof clientId !== 'string') return 'the application';
  const client = await provider.Client.find(clientId);
  return client?.clientName ?? clientId;
}

/**
 * What the consent page lists: every scope the app requests (native apps are asked each time,
 * since another app could use the same loopback redirect), plus any missing resource scopes.
 */
function requestedAccess(
  params: Record<string, unknown>,
  details: Record<string, unknown>,
  describe: (scope: string) => string,
): string[] {
  const scopes = new Set<string>(
    typeof params.scope === 'string' ? params.scope.split(' ').filter(Boolean) : [],
  );
  const resources = details.missingResourceScopes;
  if (resources && typeof resources === 'object') {
    for (const list of Object.values(resources as Record<string, unknown>)) {
      if (Array.isArray(list)) for (const scope of list) if (typeof scope === 'string') scopes.add(scope);
    }
  }
  return [...scopes].map(describe);
}

async function showPrompt(req: IncomingMessage, res: ServerResponse, deps: InteractionDeps): Promise<void> {
  const details = await deps.provider.interactionDetails(req, res);
  const name = await clientName(deps.provider, details.params.client_id);
  const targets = redirectOrigin(details.params);
  if (details.prompt.name === 'login') {
    send(res, 200, loginPage({ uid: details.uid, clientName: name }), targets);
    return;
  }
  if (details.prompt.name === 'consent') {
    const account = details.session ? deps.accounts.findBySub(details.session.accountId) : undefined;
    if (!account)
      throw new HttpError(
        400,
        'Sign-in expired',
        'Your sign-in has ended. Return to the app and start again.',
      );
    const requests = requestedAccess(details.params, details.prompt.details, deps.describeScope);
    send(
      res,
      200,
      consentPage({
        uid: details.uid,
        clientName: name,
        accountName: account.name,
        username: account.username,
        requests,
      }),
      targets,
    );
    return;
  }
  throw new HttpError(
    400,
    'Unsupported request',
    `This provider cannot complete the "${details.prompt.name}" step.`,
  );
}

async function submitLogin(req: IncomingMessage, res: ServerResponse, deps: InteractionDeps): Promise<void> {
  const details = await deps.provider.interactionDetails(req, res);
  if (details.prompt.name !== 'login')
    throw new HttpError(400, 'Already signed in', 'This step is already complete. Return to the app.');
  const form = loginForm.safeParse(Object.fromEntries(await readForm(req)));
  const username = form.success ? form.data.username : '';
  const name = await clientName(deps.provider, details.params.client_id);
  const waitMs = deps.throttle.retryAfterMs(username);
  if (waitMs > 0) {
    const minutes = Math.ceil(waitMs / 60_000);
    const error = `Too many failed attempts. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`;
    send(
      res,
      429,
      loginPage({ uid: details.uid, clientName: name, username, error }),
      redirectOrigin(details.params),
      {
        'retry-after': String(Math.ceil(waitMs / 1000)),
      },
    );
    return;
  }
  const account = form.success
    ? deps.accounts.verifyPassword(form.data.username, form.data.password)
    : undefined;
  if (!account) {
    deps.throttle.fail(username);
    send(
      res,
      401,
      loginPage({ uid: details.uid, clientName: name, username, error: LOGIN_FAILED_MESSAGE }),
      redirectOrigin(details.params),
    );
    return;
  }
  deps.throttle.succeed(username);
  const result: InteractionResults = { login: { accountId: account.sub, amr: ['pwd'] } };
  await deps.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

async function submitConsent(
  req: IncomingMessage,
  res: ServerResponse,
  deps: InteractionDeps,
): Promise<void> {
  await readForm(req);
  const details = await deps.provider.interactionDetails(req, res);
  if (details.prompt.name !== 'consent' || !details.session) {
    throw new HttpError(
      400,
      'Unexpected step',
      'There is nothing to allow at this step. Return to the app and start again.',
    );
  }
  const { Grant } = deps.provider;
  const clientId = String(details.params.client_id);
  const existing = details.grantId ? await Grant.find(details.grantId) : undefined;
  const grant = existing ?? new Grant({ accountId: details.session.accountId, clientId });
  const prompt = details.prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  if (prompt.missingOIDCScope) grant.addOIDCScope(prompt.missingOIDCScope.join(' '));
  if (prompt.missingOIDCClaims) grant.addOIDCClaims(prompt.missingOIDCClaims);
  for (const [indicator, scopes] of Object.entries(prompt.missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '));
  }
  const grantId = await grant.save();
  const result: InteractionResults = { consent: existing ? {} : { grantId } };
  await deps.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: true });
}

async function abort(req: IncomingMessage, res: ServerResponse, deps: InteractionDeps): Promise<void> {
  await readForm(req);
  const result: InteractionResults = {
    error: 'access_denied',
    error_description: 'The user cancelled the sign-in.',
  };
  await deps.provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]{1,64})(?:\/(login|confirm|abort))?$/;

/**
 * Serves the provider's interaction pages under `/interaction/:uid` (the path oidc-provider scopes
 * its interaction cookie to). Returns false when the request is not an interaction route.
 */
export async function handleInteraction(
  req: IncomingMessage,
  res: ServerResponse,
  deps: InteractionDeps,
): Promise<boolean> {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  const match = ROUTE.exec(path);
  if (!path.startsWith('/interaction/')) return false;
  try {
    if (!match) throw new HttpError(404, 'Not found', 'There is no such page.');
    const action = match[2];
    if (action === undefined) {
      if (req.method !== 'GET' && req.method !== 'HEAD')
        throw new HttpError(405, 'Method not allowed', 'Use GET.');
      await showPrompt(req, res, deps);
      return true;
    }
    if (req.method !== 'POST') throw new HttpError(405, 'Method not allowed', 'Use POST.');
    assertSameOrigin(req, deps.issuerOrigin);
    if (action === 'login') await submitLogin(req, res, deps);
    else if (action === 'confirm') await submitConsent(req, res, deps);
    else await abort(req, res, deps);
  } catch (error) {
    if (res.headersSent) throw error;
    if (error instanceof HttpError) {
      if (error.status === 405) res.setHeader('allow', error.message === 'Use GET.' ? 'GET, HEAD' : 'POST');
      send(res, error.status, errorPage(error.title, error.message));
    } else if (error instanceof errors.SessionNotFound) {
      send(
        res,
        400,
        errorPage(
          'Sign-in expired',
          'This sign-in attempt has expired or was already used. Return to the app and try again.',
          'session_not_found',
        ),
      );
    } else {
      throw error;
    }
  }
  return true;
}
