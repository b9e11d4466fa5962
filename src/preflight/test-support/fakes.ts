import { Rng } from "../secrets/random.js";
import { SECRET_RULES } from "../secrets/rules/index.js";

/** A well-formed fake for a rule (its first example), made at run time. */
export function fakeSecret(ruleId: string, seed = 3): { value: string; secret: string; key?: string } {
  const rule = SECRET_RULES.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`no secret rule ${ruleId}`);
  return rule.examples(new Rng(seed))[0]!;
}

/** A GitHub token-shaped fake: the usual test subject. */
export function fakeGithubToken(seed = 3): string {
  return fakeSecret("github-pat", seed).value;
}
