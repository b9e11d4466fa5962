import { describe, expect, it } from "vitest";
import { fromSummary, reconcilePlan, type SkiffContainer } from "./reconcile.js";

const container = (over: Partial<SkiffContainer>): SkiffContainer => ({
  id: over.instance ?? over.accessory ?? "x",
  name: "n",
  app: "hello",
  release: "r1",
  instance: undefined,
  process: "web",
  accessory: undefined,
  env: undefined,
  running: true,
  hostPort: 40000,
  ...over,
});

describe("reconcilePlan", () => {
  it.each([
    {
      name: "a container the ledger records as running was left behind",
      c: { instance: "i-1" },
      bucket: "leftBehind",
    },
    { name: "a container the ledger never recorded is an orphan", c: { instance: "i-9" }, bucket: "orphans" },
    { name: "a stopped one is an orphan too", c: { instance: "i-8", running: false }, bucket: "orphans" },
    {
      name: "a container without an instance label is an orphan",
      c: { instance: undefined },
      bucket: "orphans",
    },
    {
      name: "an accessory is left alone",
      c: { accessory: "db", instance: undefined, release: undefined },
      bucket: "accessories",
    },
  ])("$name", ({ c, bucket }) => {
    const plan = reconcilePlan([container(c)], new Set(["i-1"]));
    expect(
      Object.entries(plan)
        .filter(([, list]) => list.length > 0)
        .map(([key]) => key),
    ).toEqual([bucket]);
  });
});

describe("fromSummary", () => {
  it("reads the labels and the port published on 127.0.0.1", () => {
    expect(
      fromSummary({
        Id: "abc",
        Names: ["/skiff-hello-i-1"],
        State: "running",
        Labels: {
          "skiff.app": "hello",
          "skiff.release": "r2",
          "skiff.instance": "i-1",
          "skiff.process": "web",
        },
        Ports: [{ IP: "127.0.0.1", PrivatePort: 3000, PublicPort: 41000, Type: "tcp" }],
      } as never),
    ).toEqual({
      id: "abc",
      name: "skiff-hello-i-1",
      app: "hello",
      release: "r2",
      instance: "i-1",
      process: "web",
      accessory: undefined,
      env: undefined,
      running: true,
      hostPort: 41000,
    });
  });
});
