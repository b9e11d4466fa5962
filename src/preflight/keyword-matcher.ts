/**
 * Aho–Corasick over bytes, ASCII case-insensitive, compiled to a dense DFA.
 *
 * One pass per file finds every keyword of every rule, so most bytes are never seen by a regex.
 * Written here rather than taken from npm: the maintained package (modern-ahocorasick) matches
 * Unicode grapheme clusters in JS strings, and on this project's node_modules (47 MB) it did not
 * finish in 10 minutes where this byte DFA takes about 0.1 s.
 */
export class KeywordMatcher {
  readonly keywords: readonly string[];
  /** byte → column of the transition table (bytes that occur in no keyword share column 0). */
  private readonly byteClass = new Uint8Array(256);
  private readonly shift: number;
  /**
   * (state << shift) + class → next state, already shifted. States are numbered so that those
   * completing a keyword come last: the hot loop tests `state >= acceptFrom`, one compare, no load.
   */
  private readonly delta: Int32Array;
  private readonly acceptFrom: number;
  /** For each state, where its matched keyword ids start in `outIds` (and end at the next state's start). */
  private readonly outStart: Uint32Array;
  private readonly outIds: Uint32Array;

  constructor(keywords: readonly string[]) {
    this.keywords = keywords;
    const classes = this.assignClasses(keywords);
    this.shift = Math.max(1, Math.ceil(Math.log2(classes)));
    const width = 1 << this.shift;
    const { goto, outputs, depth } = this.buildTrie(keywords, width);
    this.linkFailures(goto, outputs, width);
    // Accepting states last (one compare tells them), and otherwise shallow states first: text spends
    // nearly all its time in the root's and its children's rows, which then share a few cache lines
    // instead of being spread over a table of megabytes.
    const order = [...goto.keys()].sort(
      (a, b) => Number(outputs[a]!.length > 0) - Number(outputs[b]!.length > 0) || depth[a]! - depth[b]!,
    );
    const renamed = new Int32Array(goto.length);
    order.forEach((old, id) => {
      renamed[old] = id;
    });
    this.acceptFrom = order.findIndex((old) => outputs[old]!.length > 0) << this.shift;
    if (this.acceptFrom < 0) this.acceptFrom = goto.length << this.shift;
    this.delta = new Int32Array(goto.length * width);
    this.outStart = new Uint32Array(goto.length + 1);
    const flat: number[] = [];
    order.forEach((old, id) => {
      const row = goto[old]!;
      for (let c = 0; c < width; c++) this.delta[id * width + c] = renamed[row[c]!]! << this.shift;
      this.outStart[id] = flat.length;
      flat.push(...outputs[old]!);
    });
    this.outStart[goto.length] = flat.length;
    this.outIds = Uint32Array.from(flat);
  }

  /**
   * Calls `onHit(keywordId, end)` for every occurrence, `end` being the offset just past the keyword.
   * The hot loop: one table lookup and one compare per byte.
   */
  scan(bytes: Uint8Array, onHit: (keywordId: number, end: number) => void): void {
    const { delta, byteClass, shift, outStart, outIds, acceptFrom } = this;
    let state = 0;
    const n = bytes.length;
    for (let i = 0; i < n; i++) {
      state = delta[state + byteClass[bytes[i]!]!]!;
      if (state >= acceptFrom) {
        const s = state >> shift;
        for (let k = outStart[s]!, to = outStart[s + 1]!; k < to; k++) onHit(outIds[k]!, i + 1);
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
    const depth: number[] = [0];
    keywords.forEach((keyword, id) => {
      let state = 0;
      for (const byte of Buffer.from(keyword.toLowerCase(), "latin1")) {
        const c = this.byteClass[byte]!;
        if (goto[state]![c] === -1) {
          goto[state]![c] = goto.length;
          goto.push(new Int32Array(width).fill(-1));
          outputs.push([]);
          depth.push(depth[state]! + 1);
        }
        state = goto[state]![c]!;
      }
      outputs[state]!.push(id);
    });
    return { goto, outputs, depth };
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
