// The conversation id is issued and signed by the server (channels/web.py): `<32 hex>.<43 base64url>`.
const SESSION_TOKEN_RE = /^[0-9a-f]{32}\.[A-Za-z0-9_-]{43}$/;

/** Whether `value` looks like a session token the server issued (the server checks the signature). */
export function isSessionToken(value) {
  return typeof value === 'string' && SESSION_TOKEN_RE.test(value);
}
