/**
 * Words of a name saying its value is not a working one: a test's wrong password, a fixture's fake
 * or broken token, a value that must not match. Not `test` (a provider's test key is a secret too),
 * nor `example` or `sample`: docs assign real-format values to those (`Example= <an Azure secret>`
 * is one of gitleaks' true positives).
 */
const STAND_IN =
  /(?:^|_)(?:fake|dummy|mock(?:ed)?|bogus|invalid|wrong|incorrect|bad|broken|(?:non|not)_?matching|mismatch(?:ed|ing)?)(?:_|$)/;

/** `nonMatchingToken` → `non_matching_token`, `WRONG-PASSWORD` → `wrong_password`. */
export function snakeWords(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .toLowerCase()
    .replace(/[.-]/g, "_");
}

/** True when the name (or part of one) says its value stands in for a real one. */
export function namesStandIn(name: string): boolean {
  return STAND_IN.test(snakeWords(name));
}

/**
 * The name a value is assigned to on its line (`var broken_token = '…`, `"fakeKey": "…`), from the
 * text just before the value; undefined when there is none.
 */
export function assignedName(before: string): string | undefined {
  const line = before.slice(before.lastIndexOf("\n") + 1);
  return /([A-Za-z_$][\w.$-]*)["']?[ \t]*(?::=|=|:|=>)[ \t]*@?["'`]?$/.exec(line)?.[1];
}
