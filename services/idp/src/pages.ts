import { createHash } from 'node:crypto';

/**
 * The provider's own HTML pages: sign-in, consent, sign-out and errors. Plain, accessible HTML
 * (labelled fields, one alert region for errors), no script, one inline stylesheet allowed by hash.
 */

const STYLE = `
:root{color-scheme:light dark;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5}
body{margin:0;display:flex;justify-content:center;padding:3rem 1rem}
main{width:100%;max-width:24rem}
h1{font-size:1.5rem;margin:0 0 .5rem}
p{margin:.5rem 0}
label{display:block;font-weight:600;margin-top:1rem}
input{box-sizing:border-box;width:100%;font:inherit;padding:.5rem;margin-top:.25rem;border:1px solid #767676;border-radius:4px}
input:focus,button:focus{outline:3px solid #1a73e8;outline-offset:2px}
.actions{display:flex;gap:.75rem;margin-top:1.5rem}
button{font:inherit;font-weight:600;padding:.5rem 1.25rem;border-radius:4px;border:1px solid #1a4fa0;background:#1a4fa0;color:#fff;cursor:pointer}
button.secondary{background:transparent;color:inherit;border-color:#767676}
[role=alert]{border:1px solid #b3261e;background:#fce8e6;color:#8c1d18;padding:.5rem .75rem;border-radius:4px}
ul{padding-left:1.25rem}
.muted{color:#5f6368;font-size:.9rem}
`;

const STYLE_HASH = `'sha256-${createHash('sha256').update(STYLE).digest('base64')}'`;

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/**
 * Response headers for every HTML page: a strict CSP (no script at all, forms may post only to
 * this origin and to the `formTargets` the flow will redirect to, which Chromium checks on
 * redirects too), no caching, no framing, no referrer to other origins (URLs carry interaction ids).
 */
export function pageHeaders(formTargets: readonly string[] = []): Record<string, string> {
  const formAction = ["'self'", ...new Set(formTargets)].join(' ');
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': [
      "default-src 'none'",
      `style-src ${STYLE_HASH}`,
      "img-src 'self' data:",
      `form-action ${formAction}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'cache-control': 'no-store',
    pragma: 'no-cache',
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    // Not no-referrer: with it Chromium sends `Origin: null` on form posts, which assertSameOrigin refuses.
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)} · NewDreamFlow</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** Inputs of the sign-in page. */
export interface LoginPageInput {
  uid: string;
  clientName: string;
  /** Username to keep in the field after a failed attempt. */
  username?: string;
  /** Shown in the alert region; the same text whatever was wrong (no account enumeration). */
  error?: string;
}

/** The sign-in page: "Username", "Password", "Sign in", and "Cancel". */
export function loginPage(input: LoginPageInput): string {
  const uid = encodeURIComponent(input.uid);
  const error = input.error ? `<p role="alert" id="login-error">${escapeHtml(input.error)}</p>` : '';
  const invalid = input.error ? ' aria-invalid="true" aria-describedby="login-error"' : '';
  return layout(
    'Sign in',
    `<h1>Sign in</h1>
<p>to continue to <strong>${escapeHtml(input.clientName)}</strong></p>
${error}
<form method="post" action="/interaction/${uid}/login" id="login-form">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="64" value="${escapeHtml(input.username ?? '')}"${invalid}${input.username ? '' : ' autofocus'}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="256"${invalid}${input.username ? ' autofocus' : ''}>
</form>
<form method="post" action="/interaction/${uid}/abort" id="cancel-form"></form>
<div class="actions">
<button type="submit" form="login-form">Sign in</button>
<button type="submit" form="cancel-form" class="secondary">Cancel</button>
</div>
<p class="muted">NewDreamFlow development sign-in. Demo accounts only.</p>`,
  );
}

/** Inputs of the consent page. */
export interface ConsentPageInput {
  uid: string;
  clientName: string;
  accountName: string;
  username: string;
  /** Human descriptions of what the app asks for. */
  requests: readonly string[];
}

/** The consent page: what the app asks for, "Allow" and "Cancel". */
export function consentPage(input: ConsentPageInput): string {
  const uid = encodeURIComponent(input.uid);
  const items = input.requests.map((request) => `<li>${escapeHtml(request)}</li>`).join('\n');
  return layout(
    'Allow access',
    `<h1>Allow access</h1>
<p><strong>${escapeHtml(input.clientName)}</strong> asks to:</p>
<ul id="requested-access">
${items}
</ul>
<p class="muted">Signed in as ${escapeHtml(input.accountName)} (${escapeHtml(input.username)}).</p>
<form method="post" action="/interaction/${uid}/confirm" id="consent-form"></form>
<form method="post" action="/interaction/${uid}/abort" id="cancel-form"></form>
<div class="actions">
<button type="submit" form="consent-form">Allow</button>
<button type="submit" form="cancel-form" class="secondary">Cancel</button>
</div>`,
  );
}

/**
 * The sign-out confirmation. `form` is oidc-provider's hidden form (it carries the anti-forgery
 * token); the buttons submit it, "Sign out" with `logout=yes`.
 */
export function logoutPage(form: string, clientName: string | undefined): string {
  const from = clientName ? ` of <strong>${escapeHtml(clientName)}</strong>` : '';
  return layout(
    'Sign out',
    `<h1>Sign out</h1>
<p>Do you want to sign out${from} on this identity provider?</p>
${form}
<div class="actions">
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>
</div>`,
  );
}

/** Shown after sign-out when the app gave no post-logout redirect. */
export function loggedOutPage(): string {
  return layout('Signed out', `<h1>Signed out</h1>\n<p>You have signed out. You can close this window.</p>`);
}

/** An error page; `message` is shown to the person, `code` for support. */
export function errorPage(title: string, message: string, code?: string): string {
  const detail = code ? `<p class="muted">Error: <code>${escapeHtml(code)}</code></p>` : '';
  return layout(
    title,
    `<h1>${escapeHtml(title)}</h1>\n<p role="alert">${escapeHtml(message)}</p>\n${detail}`,
  );
}
