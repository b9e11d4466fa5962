import { describe, expect, it } from "vitest";
import { imagesToRemove } from "./prune-images.js";

describe("imagesToRemove", () => {
  it.each([
    {
      name: "the images of pruned releases",
      pruned: [
        { release: "r1", image: "A" },
        { release: "r2", image: "B" },
      ],
      kept: [{ release: "r3", image: "C" }],
      remove: ["A", "B"],
    },
    {
      name: "never one a kept release shares (a rollback or a redeploy of the same build)",
      pruned: [
        { release: "r1", image: "A" },
        { release: "r2", image: "B" },
      ],
      kept: [{ release: "r5", image: "A" }],
      remove: ["B"],
    },
    {
      name: "each image once",
      pruned: [
        { release: "r1", image: "A" },
        { release: "r2", image: "A" },
      ],
      kept: [],
      remove: ["A"],
    },
    { name: "nothing when nothing is pruned", pruned: [], kept: [{ release: "r1", image: "A" }], remove: [] },
  ])("$name", ({ pruned, kept, remove }) => expect(imagesToRemove(pruned, kept)).toEqual(remove));
});
