import type { SecretRule } from "../rule.js";
import { aiRules } from "./ai.js";
import { cloudRules } from "./cloud.js";
import { codeHostingRules } from "./code-hosting.js";
import { connectionStringRules } from "./connection-strings.js";
import { devtoolsRules } from "./devtools.js";
import { genericRules } from "./generic.js";
import { keyRules } from "./keys.js";
import { messagingRules } from "./messaging.js";
import { pairedRules } from "./paired.js";
import { paymentRules } from "./payments.js";
import { saasRules } from "./saas.js";

/**
 * Every secret rule, most specific first: when two rules match the same text, the earlier one is
 * reported (a GCP key file beats the PEM block inside it; any provider rule beats `password = …`).
 */
export const SECRET_RULES: readonly SecretRule[] = [
  ...pairedRules,
  ...keyRules,
  ...codeHostingRules,
  ...devtoolsRules,
  ...cloudRules,
  ...messagingRules,
  ...paymentRules,
  ...aiRules,
  ...saasRules,
  ...connectionStringRules,
  ...genericRules,
];
