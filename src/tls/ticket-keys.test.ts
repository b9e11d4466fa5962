import { describe, expect, it } from "vitest";
import {
  currentTicketKey,
  formatTicketKey,
  nextRotation,
  parseTicketKey,
  type TicketKey,
} from "./ticket-keys.js";

const HOUR = 3_600_000;
const saved: TicketKey = { createdAt: 10 * HOUR, key: Buffer.alloc(48, 7) };

describe("the session-ticket key", () => {
  it.each([
    ["a fresh saved key is kept", saved, 10 * HOUR + 1, true],
    ["a key just under the interval is kept", saved, 11 * HOUR - 1, true],
    ["a key of the full interval is replaced", saved, 11 * HOUR, false],
    ["an old key is replaced", saved, 30 * HOUR, false],
    ["a key dated in the future (clock set back) is replaced", saved, 9 * HOUR, false],
    ["no key: a new one", undefined, 10 * HOUR, false],
  ])("%s", (_name, key, now, kept) => {
    const current = currentTicketKey(key, now, HOUR);
    expect(current === key).toBe(kept);
    if (!kept) {
      expect(current.createdAt).toBe(now);
      expect(current.key).toHaveLength(48);
      expect(current.key.equals(saved.key)).toBe(false);
    }
  });

  it("two new keys differ", () => {
    expect(currentTicketKey(undefined, 0, HOUR).key.equals(currentTicketKey(undefined, 0, HOUR).key)).toBe(
      false,
    );
  });

  it("reads back what it wrote and is due one interval after it was made", () => {
    const read = parseTicketKey(formatTicketKey(saved));
    expect(read?.createdAt).toBe(saved.createdAt);
    expect(read?.key.equals(saved.key)).toBe(true);
    expect(nextRotation(saved, HOUR)).toBe(11 * HOUR);
  });

  it.each([
    ["no file", undefined],
    ["not JSON", "garbage"],
    ["no date", JSON.stringify({ key: Buffer.alloc(48).toString("base64") })],
    ["a key of the wrong size", JSON.stringify({ createdAt: 1, key: Buffer.alloc(32).toString("base64") })],
    ["a key that is not a string", JSON.stringify({ createdAt: 1, key: 5 })],
  ])("a saved key that is unusable (%s) is no key", (_name, text) => {
    expect(parseTicketKey(text)).toBeUndefined();
  });
});
