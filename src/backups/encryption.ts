import { Readable } from "node:stream";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Decrypter, Encrypter, identityToRecipient } from "age-encryption";
import { EXIT, SkiffError } from "../errors.js";

/**
 * Archives are encrypted with age (typage, by age's author): X25519 to the recipient of the identity in
 * the agent secret named by `encryption.key_secret`, ChaCha20-Poly1305 in 64 KiB chunks, so a truncated
 * or altered archive fails to decrypt instead of restoring garbage.
 */

const IDENTITY = /^AGE-SECRET-KEY-1[0-9A-Z]{58}$/;

/** Why `value` cannot be an encryption key, or undefined. Never repeats the value. */
export function keyProblem(secretName: string, value: string | undefined): string | undefined {
  if (value === undefined)
    return `${secretName} is not set in the agent's secret store or environment (skiff backups keygen | skiff secrets set ${secretName})`;
  if (!IDENTITY.test(value.trim()))
    return `${secretName} does not hold an age secret key (AGE-SECRET-KEY-1…); make one with \`skiff backups keygen\``;
  return undefined;
}

/** An encrypted backup that cannot be opened: no key, or not the key it was made with. */
export class DecryptionError extends SkiffError {}

export async function encrypt(source: Readable, identity: string): Promise<Readable> {
  const encrypter = new Encrypter();
  encrypter.addRecipient(await identityToRecipient(identity.trim()));
  const web = await encrypter.encrypt(Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>);
  return Readable.fromWeb(web as unknown as WebReadableStream<Uint8Array>);
}

export async function decrypt(source: Readable, identity: string, what: string): Promise<Readable> {
  const decrypter = new Decrypter();
  decrypter.addIdentity(identity.trim());
  try {
    const web = await decrypter.decrypt(Readable.toWeb(source) as unknown as ReadableStream<Uint8Array>);
    return Readable.fromWeb(web as unknown as WebReadableStream<Uint8Array>);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new DecryptionError(
      /no identity matched/.test(message)
        ? `${what} was encrypted with another key than the one in the agent's secret now`
        : `${what} cannot be decrypted: ${message}`,
      EXIT.failed,
      "set the key it was made with (skiff secrets set NAME), or pick another backup",
    );
  }
}
