import type { Charset } from "./charsets.js";

/**
 * A small seeded generator (mulberry32) so generated fake secrets are the same on every run:
 * a test that fails once fails again.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chars(charset: Charset, length: number): string {
    let out = "";
    for (let i = 0; i < length; i++) out += charset.chars[Math.floor(this.next() * charset.chars.length)];
    return out;
  }
}
