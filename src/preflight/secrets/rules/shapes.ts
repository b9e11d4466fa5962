import { HEX_ANY } from "../charsets.js";
import { chars, lit, type Segment } from "../rule.js";

/** Formats several providers share. A UUID may be written in upper case. */
export const UUID: Segment[] = [
  chars(HEX_ANY, 8),
  lit("-"),
  chars(HEX_ANY, 4),
  lit("-"),
  chars(HEX_ANY, 4),
  lit("-"),
  chars(HEX_ANY, 4),
  lit("-"),
  chars(HEX_ANY, 12),
];

/** Words a key's name has when it holds a credential rather than an id or a URL. */
export const SECRET_NAME = ["key", "token", "secret", "pass", "auth", "pwd", "cred"];
