/**
 * Runs a person types when making a value up: the alphabet, the digits, a keyboard row, in order.
 * A generator draws each character independently, so such runs are rare in a real secret.
 */
const RUNS = ["abcdefghijklmnopqrstuvwxyz", "0123456789", "qwertyuiop", "asdfghjkl", "zxcvbnm"];

/** Whether `b` follows `a` in one of RUNS (case-insensitive): `a`→`b`, `3`→`4`, `q`→`w`. */
function follows(a: string, b: string): boolean {
  return RUNS.some((run) => {
    const i = run.indexOf(a);
    return i >= 0 && run[i + 1] === b;
  });
}

/** The share of neighbouring characters that follow one another in RUNS: `AbCeFG123` 6 of 8. */
export function sequentialShare(value: string): number {
  const lower = value.toLowerCase();
  let inRun = 0;
  for (let i = 1; i < lower.length; i++) if (follows(lower[i - 1]!, lower[i]!)) inRun++;
  return lower.length < 2 ? 0 : inRun / (lower.length - 1);
}

/**
 * True for a value made up by hand rather than generated, for rules that judge a value by how it
 * looks (generic names, URL passwords), not for a provider's fixed format:
 * - half of it or more in typed runs (`AbCeFG123`, `asdfqwer1234asdf`): 8 random letters and
 *   digits have this by chance about once in 6,000 draws (8 hex digits once in 3,000), 16 never
 *   in a million;
 * - a long run of the digits or letters in order, or a group said three times (`1234-1234-1234`);
 * - a word then `123…` (`Forge123`, `admin1234!`): the textbook example password;
 * - hex in both cases (`acdeFf05…`): a generator writes hex in one case; mixed case is an edit or
 *   an EIP-55 checksummed address, which is public.
 */
export function typedByHand(value: string): boolean {
  if (value.length >= 8 && sequentialShare(value) >= 0.5) return true;
  if (/123456789|abcdefgh|abc123|(\d{3,4})[-_]?\1[-_]?\1/i.test(value)) return true;
  if (/^[A-Za-z]{3,}[^A-Za-z0-9]?1234?5?6?7?8?9?[^A-Za-z0-9]?$/.test(value)) return true;
  return value.length >= 16 && /^[0-9a-fA-F]+$/.test(value) && /[a-f]/.test(value) && /[A-F]/.test(value);
}

/** Leetspeak too: `s3cret`, `T0pS3cr3t`, `p4ssw0rd`, `postgrespassword`. */
const CREDENTIAL_WORD = /p[a@4]ss?w[o0]rd|passwd|s[e3]cr[e3]t|t[o0]k[e3]n|api[_-]?key|private[_-]?key/i;

/** A value spelling out what it stands for (`T0pS3cr3t`, `postgrespassword`): a person chose it. */
export function spellsCredentialWord(value: string): boolean {
  return CREDENTIAL_WORD.test(value);
}
