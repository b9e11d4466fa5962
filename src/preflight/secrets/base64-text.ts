/**
 * The text a base64 value encodes, when it encodes text: `cGFzc3dvcmQ=` is `password`. Undefined for
 * anything else, a random key's bytes included (18 random bytes are all printable once in ~10^8).
 * Only canonical base64 counts: re-encoding the text gives the value back.
 */
export function base64Text(value: string): string | undefined {
  if (value.length < 8 || value.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(value)) return undefined;
  const text = Buffer.from(value, "base64").toString("latin1");
  if (!/^[\x20-\x7e]+$/.test(text)) return undefined;
  return Buffer.from(text, "latin1").toString("base64") === value ? text : undefined;
}
