import { describe, expect, it } from "vitest";
import { MAX_SECTION_ENTRIES, prependChangelogSection, renderChangelogSection } from "./changelog.js";
import { parseCommitMessage } from "./conventional.js";

const DATE = new Date("2026-03-04T23:30:00Z");

function entry(sha: string, message: string) {
  return { sha, commit: parseCommitMessage(message) };
}

describe("renderChangelogSection", () => {
  it("groups breaking changes, features, fixes and the rest, with short shas", () => {
    const section = renderChangelogSection("2.0.0", DATE, [
      entry("a".repeat(40), "docs: explain environments"),
      entry("b".repeat(40), "fix(proxy): keep idle sockets"),
      entry("c".repeat(40), "feat: previews"),
      entry("d".repeat(40), "feat(api)!: v2 routes\n\nBREAKING CHANGE: /v1 is gone"),
      entry("e".repeat(40), "Tidy up"),
    ]);
    expect(section).toBe(
      [
        "## v2.0.0 (2026-03-04)",
        "",
        "### Breaking changes",
        "",
        "- **api:** v2 routes (ddddddd)",
        "  /v1 is gone",
        "",
        "### Features",
        "",
        "- previews (ccccccc)",
        "",
        "### Fixes",
        "",
        "- **proxy:** keep idle sockets (bbbbbbb)",
        "",
        "### Other",
        "",
        "- docs: explain environments (aaaaaaa)",
        "- Tidy up (eeeeeee)",
        "",
      ].join("\n"),
    );
  });

  it("lists at most MAX_SECTION_ENTRIES commits and counts the rest", () => {
    const many = Array.from({ length: MAX_SECTION_ENTRIES + 5 }, (_, i) =>
      entry(String(i).padStart(40, "0"), `fix: n${i}`),
    );
    const section = renderChangelogSection("0.1.0", DATE, many);
    expect(section.split("\n").filter((line) => line.startsWith("- "))).toHaveLength(MAX_SECTION_ENTRIES);
    expect(section).toContain("… and 5 earlier commits.");
  });

  it("leaves out empty groups and says when there is nothing", () => {
    expect(renderChangelogSection("1.0.1", DATE, [entry("f".repeat(40), "fix: x")])).not.toContain(
      "Features",
    );
    expect(renderChangelogSection("1.0.1", DATE, [])).toBe("## v1.0.1 (2026-03-04)\n\nNo changes.\n");
  });
});

describe("prependChangelogSection", () => {
  const v2 = "## v1.1.0 (2026-03-04)\n\n### Fixes\n\n- b (2222222)\n";
  const v1 = "## v1.0.0 (2026-03-01)\n\n### Features\n\n- a (1111111)\n";

  it.each([
    ["a missing file", undefined, `# Changelog\n\n${v2}`],
    ["an empty file", "\n", `# Changelog\n\n${v2}`],
    [
      "a file with a title and sections",
      `# Changelog\n\nAll notable changes.\n\n${v1}`,
      `# Changelog\n\nAll notable changes.\n\n${v2}\n${v1}`,
    ],
    ["a file with sections only", v1, `${v2}\n${v1}`],
    ["a file with prose only", "# Changes\n\nSee below.\n", `# Changes\n\nSee below.\n\n${v2}`],
    [
      "a file whose top section is the same version",
      `# Changelog\n\n${v2.replace("- b", "- old")}\n${v1}`,
      `# Changelog\n\n${v2}\n${v1}`,
    ],
    ["CRLF line ends", `# Changelog\r\n\r\n${v1.replace(/\n/g, "\r\n")}`, `# Changelog\n\n${v2}\n${v1}`],
  ])("%s", (_, existing, expected) => {
    expect(prependChangelogSection(existing, v2)).toBe(expected);
  });
});
