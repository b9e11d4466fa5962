/** The alphabets token formats are drawn from: a regex class body and the characters, for generators. */
export interface Charset {
  /** Body of a regex character class, e.g. `A-Za-z0-9`. */
  readonly cls: string;
  readonly chars: string;
}

function range(from: string, to: string): string {
  let out = "";
  for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c++) out += String.fromCharCode(c);
  return out;
}

const UPPER = range("A", "Z");
const LOWER_ = range("a", "z");
const DIGIT = range("0", "9");

function charset(cls: string, chars: string): Charset {
  return { cls, chars };
}

export const DIGITS = charset("0-9", DIGIT);
export const LOWER = charset("a-z", LOWER_);
export const LETTERS = charset("A-Za-z", UPPER + LOWER_);
export const ALNUM = charset("A-Za-z0-9", UPPER + LOWER_ + DIGIT);
export const ALNUM_LOWER = charset("a-z0-9", LOWER_ + DIGIT);
export const ALNUM_UPPER = charset("A-Z0-9", UPPER + DIGIT);
export const HEX = charset("0-9a-f", `${DIGIT}abcdef`);
export const HEX_UPPER = charset("0-9A-F", `${DIGIT}ABCDEF`);
export const HEX_ANY = charset("0-9a-fA-F", `${DIGIT}abcdefABCDEF`);
export const BASE32 = charset("A-Z2-7", `${UPPER}234567`);
export const BASE64 = charset("A-Za-z0-9+/", `${UPPER}${LOWER_}${DIGIT}+/`);
export const BASE64URL = charset("A-Za-z0-9_\\-", `${UPPER}${LOWER_}${DIGIT}_-`);
/** Base64's padding. */
export const PAD = charset("=", "=");
/** Word characters: letters, digits and underscore. */
export const WORD = charset("A-Za-z0-9_", `${UPPER}${LOWER_}${DIGIT}_`);
