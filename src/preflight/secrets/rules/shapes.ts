import { HEX } from "../charsets.js";
import { chars, lit, type Segment } from "../rule.js";

/** Formats several providers share. */
export const UUID: Segment[] = [
  chars(HEX, 8),
  lit("-"),
  chars(HEX, 4),
  lit("-"),
  chars(HEX, 4),
  lit("-"),
  chars(HEX, 4),
  lit("-"),
  chars(HEX, 12),
];

/** Words a key's name has when it holds a credential rather than an id or a URL. */
export const SECRET_NAME = ["key", "token", "secret", "pass", "auth", "pwd", "cred"];
