import { describe, expect, it } from "vitest";
import { z } from "zod";
import { UsageError } from "../errors.js";
import { checked, queryDuration, querySwitch, text, wholeNumber } from "./request.js";

const query = z.object({
  limit: wholeNumber(1, 100),
  since: queryDuration("30d", 3650 * 86_400_000, "3650d"),
  wait: querySwitch,
});

describe("request values", () => {
  it("fills in what is absent", () => {
    expect(checked(query, {})).toEqual({ limit: 100, since: 30 * 86_400_000, wait: false });
  });

  it.each([
    [
      { limit: "20", since: "12h", wait: "1" },
      { limit: 20, since: 12 * 3_600_000, wait: true },
    ],
    [
      { limit: "1", since: "3650d", wait: "true" },
      { limit: 1, since: 3650 * 86_400_000, wait: false },
    ],
  ])("reads %j", (values, expected) => {
    expect(checked(query, values)).toEqual(expected);
  });

  it.each([
    [{ limit: "abc" }, 'limit: expected a whole number of at least 1, got "abc"'],
    [{ limit: "0" }, 'limit: expected a whole number of at least 1, got "0"'],
    [{ limit: "2.5" }, 'limit: expected a whole number of at least 1, got "2.5"'],
    [
      { limit: "99999999999999999999" },
      'limit: expected a whole number of at least 1, got "99999999999999999999"',
    ],
    [
      { since: "99999999999999d" },
      'since: expected a duration like 30d, 12h or 90m, up to 3650d, got "99999999999999d"',
    ],
    [{ since: "0d" }, 'since: expected a duration like 30d, 12h or 90m, up to 3650d, got "0d"'],
    [
      { limit: "x", since: "y" },
      'limit: expected a whole number of at least 1, got "x"; since: expected a duration like 30d, 12h or 90m, up to 3650d, got "y"',
    ],
  ])("refuses %j naming the field", (values, message) => {
    expect(() => checked(query, values)).toThrow(new UsageError(message));
  });

  it("names a body field by its path, and a header's fields after the header", () => {
    const body = z.object({ commit: z.object({ sha: text("a commit SHA") }) });
    expect(() => checked(body, { commit: { sha: 7 } })).toThrow("commit.sha: expected a commit SHA");
    expect(() => checked(body, { commit: { sha: "" } }, "x-skiff-deploy")).toThrow(
      "x-skiff-deploy: commit.sha: expected a commit SHA",
    );
  });
});
