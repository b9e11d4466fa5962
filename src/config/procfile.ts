/**
 * Pure. A Procfile as Heroku reads it (and foreman, and Dokku): one `type: command` per line, the type
 * made of letters, digits, `_` and `-`; everything else (blank lines, `# comments`, lines of another
 * shape) is skipped without complaint, as Heroku skips them. The `release:` line is the release phase,
 * not a process type. A type named twice keeps its last line, as foreman does.
 */
export interface Procfile {
  processes: Record<string, string>;
  release: string | undefined;
}

export const PROCFILE = "Procfile";

const LINE = /^([A-Za-z0-9_-]+):\s*(.+)$/;

export function parseProcfile(text: string): Procfile {
  const processes: Record<string, string> = {};
  let release: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const match = LINE.exec(raw.trim());
    if (!match) continue;
    const [, name, command] = match as unknown as [string, string, string];
    if (name === "release") release = command.trim();
    else processes[name] = command.trim();
  }
  return { processes, release };
}
