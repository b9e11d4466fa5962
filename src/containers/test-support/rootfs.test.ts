import { describe, expect, it } from "vitest";
import { parseLdd } from "./rootfs.js";

describe("parseLdd", () => {
  it("reads the resolved paths and the loader, skipping the vdso", () => {
    const output = [
      "\tlinux-vdso.so.1 (0x00007ffd)",
      "\tlibdl.so.2 => /lib/x86_64-linux-gnu/libdl.so.2 (0x00007f0b)",
      "\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x00007f0a)",
      "\t/lib64/ld-linux-x86-64.so.2 (0x00007f0c)",
    ].join("\n");
    expect(parseLdd(output)).toEqual([
      "/lib/x86_64-linux-gnu/libdl.so.2",
      "/lib/x86_64-linux-gnu/libc.so.6",
      "/lib64/ld-linux-x86-64.so.2",
    ]);
  });
});
