import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { CertStore } from "./cert-store.js";
import { TicketKeyRotation } from "./ticket-key-rotation.js";
import { formatTicketKey, parseTicketKey } from "./ticket-keys.js";

const HOUR = 3_600_000;
const cleanups: Array<() => void> = [];
afterEach(() => {
  vi.useRealTimers();
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function setup() {
  const dir = mkdtempSync(join(tmpdir(), "skiff-ticket-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  vi.useFakeTimers();
  vi.setSystemTime(100 * HOUR);
  const store = new CertStore(join(dir, "certs"));
  const applied: Buffer[] = [];
  const errors: Error[] = [];
  const rotation = (s = store) =>
    new TicketKeyRotation({
      store: s,
      apply: (key) => applied.push(key),
      onError: (error) => errors.push(error),
      rotateMs: HOUR,
    });
  return { dir, store, applied, errors, rotation };
}

describe("TicketKeyRotation", () => {
  it("saves a new key 0600 and applies it; a second process on the same dir applies the same key", () => {
    const { dir, applied, rotation, errors } = setup();
    const first = rotation();
    first.start();
    const second = rotation();
    second.start();
    cleanups.push(
      () => first.stop(),
      () => second.stop(),
    );
    expect(applied).toHaveLength(2);
    expect(applied[0]!.equals(applied[1]!)).toBe(true);
    expect(statSync(join(dir, "certs", "ticket-key.json")).mode & 0o777).toBe(0o600);
    expect(errors).toEqual([]);
  });

  it("replaces the key once it is an hour old, and saves the new one", () => {
    const { store, applied, rotation } = setup();
    const r = rotation();
    r.start();
    cleanups.push(() => r.stop());
    vi.advanceTimersByTime(HOUR - 1000);
    expect(applied).toHaveLength(1);
    vi.advanceTimersByTime(1000);
    expect(applied).toHaveLength(2);
    expect(applied[1]!.equals(applied[0]!)).toBe(false);
    expect(parseTicketKey(store.ticketKey())?.key.equals(applied[1]!)).toBe(true);
  });

  it("at its rotation adopts a younger key another process saved instead of making one", () => {
    const { store, applied, rotation } = setup();
    const r = rotation();
    r.start();
    cleanups.push(() => r.stop());
    vi.advanceTimersByTime(HOUR / 2);
    const other = { createdAt: Date.now(), key: Buffer.alloc(48, 9) };
    store.saveTicketKey(formatTicketKey(other));
    vi.advanceTimersByTime(HOUR / 2);
    expect(applied.at(-1)!.equals(other.key)).toBe(true);
  });

  it("a key it cannot save is still applied, and the error reported", () => {
    const { store, applied, errors, rotation } = setup();
    store.saveTicketKey = () => {
      throw new Error("disk full");
    };
    const r = rotation();
    r.start();
    cleanups.push(() => r.stop());
    expect(applied).toHaveLength(1);
    expect(errors.map((e) => e.message)).toEqual(["disk full"]);
  });
});
