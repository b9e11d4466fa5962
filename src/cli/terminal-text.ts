/**
 * Text from outside the CLI (commit messages and authors, release reasons, event messages, an app's
 * log) made safe to print on a terminal: a control character could otherwise clear the screen
 * (`ESC[2J`), retitle the window (`ESC]0;…BEL`), move the cursor over earlier lines or hide text.
 * Colour sequences (SGR: `ESC[…m`) pass, since the CLI paints with them and apps log with them;
 * every other control character is shown escaped (`^[`, `^G`, `\u009b`) instead of acted on.
 * Newlines and tabs are text. Pure.
 */
export function terminalSafe(text: string): string {
  // Fast path: nothing below a space, no DEL, no C1 control. Most text.
  if (!UNSAFE.test(text)) return text;
  return text.replace(CONTROL_OR_SGR, (match) => (match.length > 1 ? match : visible(match)));
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
/** An SGR sequence (kept whole), or any one control character but newline and tab. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_OR_SGR = /\u001b\[[0-9;]*m|[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Caret notation for C0 and DEL (`^[`, `^?`), a \u escape for C1. */
function visible(char: string): string {
  const code = char.charCodeAt(0);
  if (code < 0x20) return `^${String.fromCharCode(code + 0x40)}`;
  if (code === 0x7f) return "^?";
  return `\\u${code.toString(16).padStart(4, "0")}`;
}
