import { describe, expect, it } from "vitest";
import { assignedName, namesStandIn } from "./stand-in-name.js";

describe("stand-in names", () => {
  it.each([
    ["nonMatchingToken", true],
    ["WRONG_PASSWORD", true],
    ["broken_token", true],
    ["fakeGithubToken", true],
    ["mockedSecret", true],
    ["apiToken", false],
    ["TEST_STRIPE_KEY", false],
    ["exampleToken", false],
    ["badge_token", false],
  ])("%s → %s", (name, expected) => {
    expect(namesStandIn(name)).toBe(expected);
  });

  it.each([
    ["var broken_token = '", "broken_token"],
    ['  "fakeKey": "', "fakeKey"],
    ["token := `", "token"],
    ["config.secret => '", "config.secret"],
    ["first = 1\nsecond: ", "second"],
    ["curl -H 'Authorization: Bearer ", undefined],
    ["see ", undefined],
  ])("the name before %j is %s", (before, name) => {
    expect(assignedName(before)).toBe(name);
  });
});
