import { describe, expect, it } from "vitest";
import { storageMounts } from "./container-instances.js";

describe("storageMounts", () => {
  it.each([
    ["/app", ["data"], [{ source: "/srv/s/data", target: "/app/data" }]],
    [
      "/app/",
      ["db/files", "uploads"],
      [
        { source: "/srv/s/db/files", target: "/app/db/files" },
        { source: "/srv/s/uploads", target: "/app/uploads" },
      ],
    ],
    // An image without WORKDIR runs in /: the paths hang off the root.
    ["", ["data"], [{ source: "/srv/s/data", target: "/data" }]],
    ["/app", [], []],
  ])("WORKDIR %s, storage %j", (workingDir, paths, expected) => {
    expect(storageMounts("/srv/s", paths, workingDir)).toEqual(expected);
  });
});
