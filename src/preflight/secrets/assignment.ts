/**
 * What comes between a key's name and its value, in the ways code and config assign one. Shared by
 * the provider rules (`DATADOG_API_KEY = …`) and the generic ones (`password = …`), so a new way of
 * writing an assignment is learnt once. Only spaces and tabs separate the parts, never a line end,
 * except inside an XML element (`<apiToken>\n  value\n</apiToken>`).
 *
 * - operators: `=` `:=` `::=` `:::=` (Go, Make), `?=` `+=` `.=` (Make, PHP), `??=` `||=`, `:`, `=>`
 *   (PHP arrays, Ruby hashes, Logstash), `<-` (R)
 * - a type between name and operator: `var apiToken string = …` (Go), `val apiToken: String = …`
 *   (Kotlin, TypeScript, Swift), `String apiToken = …` needs none
 * - a quoted name: `"api_token": …` (JSON), `'api_token' => …` (PHP), and a quoted name then a comma:
 *   `System.setProperty("API_TOKEN", "…")`, `os.environ.setdefault("API_TOKEN", "…")`
 * - Terraform: `variable "api_token" {\n  default = "…"`
 * - XML: `<apiToken>…</apiToken>`, and `<add key="ApiToken" value="…" />` (.NET app.config, nuget.config)
 * - then an optional opening quote, C#'s verbatim `@"` included.
 */
const TYPE = `(?:[ \\t]{1,4}[A-Za-z][\\w.<>\\[\\]]{0,24}|[ \\t]{0,2}:[ \\t]{0,2}[A-Za-z][\\w.<>\\[\\]?]{0,24})`;
const OPERATOR = `(?::{0,3}=(?![=~>])|[?.+|]{1,2}=|=>|:(?![:=])|<-)`;
export const ASSIGN = `(?:["']?${TYPE}?[ \\t]{0,3}${OPERATOR}|["'][ \\t]{0,3},|["'][ \\t]{1,3}value[ \\t]{0,3}=|["'][ \\t]*\\{\\s{0,40}default[ \\t]*=|>\\s{0,40})[ \\t]{0,3}@?["'\`]?`;

/** How the value is delimited, read from the character before it. */
export type Delimiter = "quote" | "element" | "bare";

export function delimiterBefore(match: string, secret: string): { kind: Delimiter; quote?: string } {
  const before = match[match.length - secret.length - 1];
  if (before === '"' || before === "'" || before === "`") return { kind: "quote", quote: before };
  if (/>\s*$/.test(match.slice(0, match.length - secret.length))) return { kind: "element" };
  return { kind: "bare" };
}
