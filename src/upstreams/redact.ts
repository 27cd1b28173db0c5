const REDACTED = '[redacted]';

/** Shapes of upstream keys: fal's `<key id uuid>:<hex secret>` and Dify's `app-<alnum>`. */
const KEY_SHAPES = [
  /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:[0-9a-f]{16,}/gi,
  /\bapp-[A-Za-z0-9]{16,}/g,
];

/** Pieces shorter than this are not redacted on their own: they could be ordinary words. */
const MIN_SECRET_LENGTH = 8;

/**
 * `text` (a message an upstream wrote) without the caller's credential, its token or the
 * `:`-separated parts of that token (a fal key's id and secret), nor anything shaped like a key.
 */
export function redactCredentials(text: string, authorization: string): string {
  const token = authorization.replace(/^\S+\s+/, '');
  const secrets = [authorization, token, ...token.split(':')]
    .filter((secret) => secret.length >= MIN_SECRET_LENGTH)
    .sort((a, b) => b.length - a.length);
  let redacted = text;
  for (const secret of secrets) redacted = redacted.replaceAll(secret, REDACTED);
  for (const shape of KEY_SHAPES) redacted = redacted.replace(shape, REDACTED);
  return redacted;
}
