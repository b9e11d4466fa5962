/** Secret values shorter than this are not looked for: "1" or "on" would blank half a command. */
const MIN_SECRET_LENGTH = 6;

/**
 * Pure. A command line as it may be recorded and logged: every occurrence of one of the app's secret
 * values (someone pasted DATABASE_URL into `skiff run -- psql …`) replaced by `[secret NAME]`.
 * Longest values first, so a secret that contains another is named whole.
 */
export function redactArgv(argv: readonly string[], secrets: Record<string, string>): string[] {
  const values = Object.entries(secrets)
    .filter(([, value]) => value.length >= MIN_SECRET_LENGTH)
    .sort(([, a], [, b]) => b.length - a.length);
  return argv.map((arg) =>
    values.reduce((text, [name, value]) => text.split(value).join(`[secret ${name}]`), arg),
  );
}
