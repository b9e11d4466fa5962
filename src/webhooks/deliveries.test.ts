import { describe, expect, it } from "vitest";
import { DeliveryMemory } from "./deliveries.js";

describe("DeliveryMemory", () => {
  it("says whether an id is new, once", () => {
    const memory = new DeliveryMemory();
    expect(memory.remember("a")).toBe(true);
    expect(memory.remember("a")).toBe(false);
    expect(memory.remember("b")).toBe(true);
    expect(memory.size).toBe(2);
  });

  it("forgets the oldest ids past its capacity", () => {
    const memory = new DeliveryMemory(3);
    for (const id of ["a", "b", "c", "d"]) memory.remember(id);
    expect(memory.size).toBe(3);
    expect(memory.has("a")).toBe(false);
    expect(["b", "c", "d"].every((id) => memory.has(id))).toBe(true);
    expect(memory.remember("a")).toBe(true);
  });

  it("stays bounded under many deliveries", () => {
    const memory = new DeliveryMemory(100);
    for (let i = 0; i < 10_000; i++) memory.remember(`id-${i}`);
    expect(memory.size).toBe(100);
    expect(memory.has("id-9999")).toBe(true);
    expect(memory.has("id-9899")).toBe(false);
  });

  it.each([0, -1, 1.5])("refuses a capacity of %s", (capacity) => {
    expect(() => new DeliveryMemory(capacity)).toThrow(RangeError);
  });
});
