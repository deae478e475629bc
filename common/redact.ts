// No secrets in logs: passwords and key material never reach a log line, a
// config diff or an error message. Redaction is by key name (a field or config
// path naming a password, secret, token or private key) and by content (PEM
// private key blocks anywhere in a string). Used by the logger for every line
// and by the config reload diff.

export const REDACTED = '[redacted]';

/** Last path segments whose values are secrets (matched case-insensitively). */
const secretName =
  /^(password|passwd|passphrase|secret|token|apikey|api_key|privatekey|private_key|key_password|keypassword|sasl_password|clientsecret|credentials?)$|password$|secret$|passphrase$|token$|credentials?$|(api|access|secret|private|signing|encryption)_?key$/i;

/** Sections that hold credentials as a whole: a mistyped `kafka.sasl: hunter2` is the password itself. */
const secretSection = /^(sasl|ssl|credentials?|auth)$/i;

/** True when the field or config path (a.b.c) holds a secret: its last segment names one. */
export function isSecretKey(pathOrKey: string): boolean {
  const last = pathOrKey.slice(pathOrKey.lastIndexOf('.') + 1);
  return secretName.test(last);
}

/** True when the path holds a secret or lies in a section that holds credentials (kafka.sasl, kafka.ssl). */
export function holdsSecret(path: string): boolean {
  return isSecretKey(path) || path.split('.').some((segment) => secretSection.test(segment));
}

const pemPrivateKey = /-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?(-----END \1PRIVATE KEY-----|$)/g;

/** Pure: the string with PEM private key blocks replaced. */
export function redactText(text: string): string {
  return text.includes('PRIVATE KEY-----') ? text.replace(pemPrivateKey, `-----${REDACTED} private key-----`) : text;
}

/** Pure: a copy of `value` with secret-named fields and key material redacted (depth-bounded). */
export function redactValue(value: unknown, key = '', depth = 0): unknown {
  if (key !== '' && isSecretKey(key) && value !== '' && value !== null && value !== undefined) return REDACTED;
  if (typeof value === 'string') return redactText(value);
  if (depth > 16 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, '', depth + 1));
  if (value instanceof Error || Buffer.isBuffer(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = redactValue(v, k, depth + 1);
  return out;
}
