import { describe, expect, it } from "vitest";
import { terminalSafe } from "./terminal-text.js";

describe("terminalSafe", () => {
  it.each([
    ["plain text", "feat: add login", "feat: add login"],
    ["newlines and tabs", "a\n\tb", "a\n\tb"],
    ["a window title (OSC … BEL)", "fix\u001b]0;pwned\u0007 it", "fix^[]0;pwned^G it"],
    ["clearing the screen", "\u001b[2Jgone", "^[[2Jgone"],
    ["moving the cursor up", "x\u001b[1A\u001b[2K", "x^[[1A^[[2K"],
    ["a carriage return over the line", "ok\rFAILED", "ok^MFAILED"],
    ["a hyperlink (OSC 8)", "\u001b]8;;http://x\u001b\\link", "^[]8;;http://x^[\\link"],
    ["backspace and DEL", "a\bb\u007f", "a^Hb^?"],
    ["a C1 control (CSI as one character)", "\u009b2J", "\\u009b2J"],
    ["colour sequences, which pass", "\u001b[32m✓\u001b[39m done", "\u001b[32m✓\u001b[39m done"],
    ["a lone ESC at the end", "end\u001b", "end^["],
    ["non-ASCII text", "Düsseldorf — 東京", "Düsseldorf — 東京"],
  ])("%s", (_name, input, expected) => {
    expect(terminalSafe(input)).toBe(expected);
  });

  it("is idempotent", () => {
    const once = terminalSafe("a\u001b]0;t\u0007\u001b[31mred\u001b[0m\r");
    expect(terminalSafe(once)).toBe(once);
  });
});
