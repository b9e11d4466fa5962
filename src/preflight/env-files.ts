/** One `KEY=value` line of a dotenv file. */
export interface EnvEntry {
  key: string;
  value: string;
  line: number;
}

const LINE = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

/** Parses dotenv text: comments and blank lines skipped, quotes and trailing comments removed. */
export function parseEnvFile(text: string): EnvEntry[] {
  const entries: EnvEntry[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const match = LINE.exec(raw);
    if (!match || raw.trimStart().startsWith("#")) return;
    entries.push({ key: match[1]!, value: unquote(match[2]!.trim()), line: i + 1 });
  });
  return entries;
}

function unquote(value: string): string {
  const quote = value[0];
  if ((quote === '"' || quote === "'" || quote === "`") && value.lastIndexOf(quote) > 0) {
    return value.slice(1, value.lastIndexOf(quote));
  }
  return value.replace(/\s+#.*$/, "");
}

/** `.env.example` and its kin document keys; they are meant to be committed. */
export function isEnvTemplate(path: string): boolean {
  return /\.(?:example|sample|template|dist|defaults)$/i.test(path);
}

/** `.env`, `.env.production`, `config/.env.local`… */
export function isEnvFile(path: string): boolean {
  return /(?:^|\/)\.env(?:\.[^/]+)?$/.test(path);
}
