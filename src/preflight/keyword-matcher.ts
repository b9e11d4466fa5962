/**
 * Aho–Corasick over bytes, ASCII case-insensitive, compiled to a dense DFA.
 *
 * One pass per file finds every keyword of every rule, so most bytes are never seen by a regex.
 * Written here rather than taken from npm: the maintained package (modern-ahocorasick) matches
 * Unicode grapheme clusters in JS strings, and on this project's node_modules (47 MB) it did not
 * finish in 10 minutes where this byte DFA takes about 0.15 s.
 */
export class KeywordMatcher {
  readonly keywords: readonly string[];
  /** byte → column of the transition table (bytes that occur in no keyword share column 0). */
  private readonly byteClass = new Uint8Array(256);
  private readonly shift: number;
  /** state * width + class → next state. */
  private readonly delta: Uint16Array | Uint32Array;
  /** For each state, where its matched keyword ids start in `outIds` (and end at the next state's start). */
  private readonly outStart: Uint32Array;
  private readonly outIds: Uint32Array;
  /** 1 where a state completes at least one keyword: one byte load per input byte in the hot loop. */
  private readonly accepting: Uint8Array;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    const classes = this.assignClasses(keywords);
    this.shift = Math.max(1, Math.ceil(Math.log2(classes)));
    const width = 1 << this.shift;
    const { goto, outputs } = this.buildTrie(keywords, width);
    this.linkFailures(goto, outputs, width);
    const states = goto.length;
    this.delta = states < 65_536 ? new Uint16Array(states * width) : new Uint32Array(states * width);
    for (let s = 0; s < states; s++) this.delta.set(goto[s]!, s * width);
    this.outStart = new Uint32Array(states + 1);
    const flat: number[] = [];
    for (let s = 0; s < states; s++) {
      this.outStart[s] = flat.length;
      flat.push(...outputs[s]!);
    }
    this.outStart[states] = flat.length;
    this.outIds = Uint32Array.from(flat);
    this.accepting = new Uint8Array(states);
    for (let s = 0; s < states; s++) this.accepting[s] = outputs[s]!.length > 0 ? 1 : 0;
  }

  /**
   * Calls `onHit(keywordId, end)` for every occurrence, `end` being the offset just past the keyword.
   * The hot loop: one table lookup per byte.
   */
  scan(bytes: Uint8Array, onHit: (keywordId: number, end: number) => void): void {
    const { delta, byteClass, shift, outStart, outIds, accepting } = this;
    let state = 0;
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      state = delta[(state << shift) | byteClass[bytes[i]!]!]!;
      if (accepting[state] !== 0) {
        for (let k = outStart[state]!, to = outStart[state + 1]!; k < to; k++) onHit(outIds[k]!, i + 1);
      }
    }
  }

  private assignClasses(keywords: readonly string[]): number {
    let next = 1;
    for (const keyword of keywords) {
      for (const byte of Buffer.from(keyword.toLowerCase(), "latin1")) {
        if (this.byteClass[byte] === 0) this.byteClass[byte] = next++;
      }
    }
    // ASCII case folding: an upper-case letter behaves like its lower-case form.
    for (let upper = 65; upper <= 90; upper++) this.byteClass[upper] = this.byteClass[upper + 32]!;
    return next;
  }

  private buildTrie(keywords: readonly string[], width: number) {
    const goto: Int32Array[] = [new Int32Array(width).fill(-1)];
    const outputs: number[][] = [[]];
    keywords.forEach((keyword, id) => {
      let state = 0;
      for (const byte of Buffer.from(keyword.toLowerCase(), "latin1")) {
        const c = this.byteClass[byte]!;
        if (goto[state]![c] === -1) {
          goto[state]![c] = goto.length;
          goto.push(new Int32Array(width).fill(-1));
          outputs.push([]);
        }
        state = goto[state]![c]!;
      }
      outputs[state]!.push(id);
    });
    return { goto, outputs };
  }

  /** Breadth-first: fills missing transitions from the failure state and merges outputs. */
  private linkFailures(goto: Int32Array[], outputs: number[][], width: number): void {
    const fail = new Int32Array(goto.length);
    const queue: number[] = [];
    const root = goto[0]!;
    for (let c = 0; c < width; c++) {
      if (root[c] === -1) root[c] = 0;
      else queue.push(root[c]!);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      const row = goto[state]!;
      for (let c = 0; c < width; c++) {
        const next = row[c]!;
        if (next === -1) {
          row[c] = goto[fail[state]!]![c]!;
          continue;
        }
        fail[next] = goto[fail[state]!]![c]!;
        outputs[next]!.push(...outputs[fail[next]!]!);
        queue.push(next);
      }
    }
  }
}
