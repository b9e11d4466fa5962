import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FuzzTarget, fuzzInput, inputBytes } from "./test-support/fuzz.js";

/**
 * Random and mutated requests through the proxy to a Node app (src/proxy/test-support/fuzz.ts): the
 * app must see exactly what the proxy's parser read, never a request smuggled in or changed. A few
 * seconds in every test run; `npm run fuzz:proxy` runs it for longer (SKIFF_FUZZ_SECONDS), and
 * SKIFF_FUZZ_SEED replays a failure fast-check reported.
 */
const seconds = Number(process.env.SKIFF_FUZZ_SECONDS ?? 4);
const seed = process.env.SKIFF_FUZZ_SEED === undefined ? undefined : Number(process.env.SKIFF_FUZZ_SEED);

const target = new FuzzTarget();
beforeAll(() => target.start());
afterAll(() => target.stop());

describe("the proxy under fuzzing", () => {
  it(
    "forwards exactly the requests its parser read, whatever the bytes",
    async () => {
      let runs = 0;
      let skipped = 0;
      await fc.assert(
        fc.asyncProperty(fuzzInput, async (input) => {
          runs++;
          const problem = await target.exchange(inputBytes(input), input.cuts);
          if (problem === "skipped") skipped++;
          else expect(problem, JSON.stringify(inputBytes(input).toString("latin1"))).toBeUndefined();
        }),
        {
          numRuns: 1_000_000,
          interruptAfterTimeLimit: seconds * 1000,
          markInterruptAsFailure: false,
          ...(seed === undefined ? {} : { seed }),
        },
      );
      expect(runs - skipped).toBeGreaterThan(0);
      if (process.env.SKIFF_FUZZ_SECONDS) {
        const { exchanges, forwarded, chunked, pipelined } = target.counts;
        console.log(
          `proxy fuzz: ${runs} inputs in ${seconds}s, ${exchanges} sent (${skipped} left out: a method llhttp refuses); ` +
            `${forwarded} requests reached the app; ${chunked} inputs chunked, ${pipelined} pipelined; no desync`,
        );
      }
    },
    (seconds + 60) * 1000,
  );
});
