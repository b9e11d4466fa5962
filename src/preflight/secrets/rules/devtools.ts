import { ALNUM, ALNUM_LOWER, ALNUM_UPPER, BASE64, BASE64URL, type Charset, HEX } from "../charsets.js";
import { keyed } from "../keyed-rule.js";
import { chars, lit, type SecretRule } from "../rule.js";
import { token } from "../token-rule.js";
import { UUID } from "./shapes.js";

const WORD_DOT_EQ: Charset = { cls: "A-Za-z0-9_=.\\-", chars: `${ALNUM.chars}_=.-` };

/**
 * A value under `data:` in a Kubernetes Secret manifest (base64, or a block scalar), when the same
 * YAML document says `kind: Secret`, before or after the data. Templates (`{{ .Values.x }}`) and
 * empty values are not secrets.
 */
const kubernetesSecret: SecretRule = {
  id: "kubernetes-secret-yaml",
  title: "Kubernetes Secret manifest with data",
  keywords: ["data:"],
  path: /\.ya?ml$/i,
  regex:
    /(?<![\w-])data:[ \t]*\r?\n(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]+["']?[\w.-]+["']?:[ \t]*(?:[|>][-+]?[ \t]*\r?\n[ \t]+)?["']?(?<s>[A-Za-z0-9+/]{10,}={0,3})["']?[ \t]*(?:\r?\n|$)/dg,
  window: { before: 1, after: 600, multiline: true },
  minEntropy: 2,
  generic: false,
  verify: ({ text, index }) => /^[ \t]*kind:[ \t]*["']?secret["']?[ \t]*$/im.test(yamlDocument(text, index)),
  examples: (rng) => {
    const secret = Buffer.from(rng.chars(ALNUM, 18)).toString("base64");
    return [{ value: `apiVersion: v1\nkind: Secret\ndata:\n  password: ${secret}\n`, secret }];
  },
  nearMisses: (rng) => {
    const value = Buffer.from(rng.chars(ALNUM, 18)).toString("base64");
    return [
      { value: `apiVersion: v1\nkind: ConfigMap\ndata:\n  settings: ${value}\n`, secret: value, clean: true },
    ];
  },
};

/** The `---`-separated YAML document around `at`. */
function yamlDocument(text: string, at: number): string {
  const start = text.lastIndexOf("\n---", at);
  const end = text.indexOf("\n---", at);
  return text.slice(start < 0 ? 0 : start, end < 0 ? text.length : end);
}

/** Package registries, CI/CD, infrastructure-as-code and secret managers. */
export const devtoolsRules: SecretRule[] = [
  kubernetesSecret,
  token("npm-access-token", "npm access token", [lit("npm_"), chars(ALNUM, 36)]),
  token(
    "npmrc-auth-token",
    "npm registry auth token in .npmrc",
    [lit(":_authToken="), chars(WORD_DOT_EQ, 20, 200)],
    {
      keywords: ["_authtoken="],
      secretFrom: 1,
      shortIsClean: false,
    },
  ),
  token("pypi-upload-token", "PyPI upload token", [lit("pypi-AgEIcHlwaS5vcmc"), chars(BASE64URL, 50, 1000)]),
  token("rubygems-api-key", "RubyGems API key", [lit("rubygems_"), chars(HEX, 48)]),
  token("nuget-api-key", "NuGet API key", [lit("oy2"), chars(ALNUM_LOWER, 43)]),
  token("clojars-deploy-token", "Clojars deploy token", [lit("CLOJARS_"), chars(ALNUM_LOWER, 60)]),
  token("crates-io-token", "crates.io API token", [lit("cio"), chars(ALNUM, 32)], { minEntropy: 3 }),
  token("packagist-token", "Private Packagist token", [
    lit("packagist_"),
    lit("uut_", "ort_", "out_", "rut_"),
    chars(HEX, 68),
  ]),
  token("docker-hub-pat", "Docker Hub personal access token", [lit("dckr_pat_"), chars(BASE64URL, 27)]),
  token("docker-hub-org-token", "Docker Hub organization access token", [
    lit("dckr_oat_"),
    chars(BASE64URL, 32),
  ]),
  token("artifactory-api-key", "JFrog Artifactory API key", [lit("AKCp"), chars(ALNUM, 69)]),
  token("artifactory-reference-token", "JFrog Artifactory reference token", [
    lit("cmVmdGtu"),
    chars(ALNUM, 56),
  ]),
  token("circleci-personal-token", "CircleCI personal API token", [
    lit("CCIPAT_"),
    chars(ALNUM, 22),
    lit("_"),
    chars(HEX, 40),
  ]),
  keyed("circleci-api-token", "CircleCI API token", {
    keywords: ["circleci", "circle_token", "circle-token"],
    key: "circle_token",
    nameMust: ["token", "key"],
    value: [chars(HEX, 40)],
  }),
  token("buildkite-agent-token", "Buildkite user API token", [lit("bkua_"), chars(HEX, 40)]),
  keyed("travis-ci-token", "Travis CI access token", {
    keywords: ["travis"],
    nameMust: ["token", "key"],
    key: "travis_token",
    value: [chars(BASE64URL, 22)],
  }),
  keyed("drone-ci-token", "Drone CI access token", {
    keywords: ["drone"],
    nameMust: ["token"],
    key: "drone_token",
    value: [chars(ALNUM, 32)],
  }),
  keyed("jenkins-api-token", "Jenkins API token", {
    keywords: ["jenkins"],
    nameMust: ["token"],
    key: "jenkins_api_token",
    value: [lit("11"), chars(HEX, 32)],
  }),
  token("harness-pat", "Harness personal access token", [
    lit("pat.", "sat."),
    chars(BASE64URL, 22),
    lit("."),
    chars(HEX, 24),
    lit("."),
    chars(ALNUM, 20),
  ]),
  token("octopus-deploy-api-key", "Octopus Deploy API key", [lit("API-"), chars(ALNUM_UPPER, 26, 27)], {
    minEntropy: 3,
  }),
  token("pulumi-access-token", "Pulumi access token", [lit("pul-"), chars(HEX, 40)]),
  token(
    "terraform-cloud-token",
    "Terraform Cloud / HCP API token",
    [
      chars(ALNUM_LOWER, 14),
      lit(".atlasv1."),
      chars({ cls: "A-Za-z0-9_=\\-", chars: `${ALNUM.chars}_=-` }, 60, 70),
    ],
    { keywords: [".atlasv1."] },
  ),
  token("vault-service-token", "HashiCorp Vault service token", [lit("hvs."), chars(BASE64URL, 90, 120)]),
  token("vault-batch-token", "HashiCorp Vault batch token", [lit("hvb."), chars(BASE64URL, 138, 300)]),
  token("doppler-personal-token", "Doppler personal token", [lit("dp.pt."), chars(ALNUM, 43)]),
  token("doppler-service-token", "Doppler service token", [
    lit("dp.st."),
    chars({ cls: "a-z0-9_\\-", chars: `${ALNUM_LOWER.chars}_-` }, 2, 35),
    lit("."),
    chars(ALNUM, 40),
  ]),
  token("doppler-cli-token", "Doppler CLI token", [lit("dp.ct."), chars(ALNUM, 43)]),
  token("doppler-scim-token", "Doppler SCIM token", [lit("dp.scim."), chars(ALNUM, 43)]),
  token("doppler-audit-token", "Doppler audit token", [lit("dp.audit."), chars(ALNUM, 43)]),
  token("doppler-service-account-token", "Doppler service account token", [lit("dp.sa."), chars(ALNUM, 43)]),
  token("onepassword-service-account-token", "1Password service account token", [
    lit("ops_eyJ"),
    chars(BASE64, 250, 1000),
  ]),
  token("onepassword-secret-key", "1Password account secret key", [
    lit("A3-"),
    chars(ALNUM_UPPER, 6),
    lit("-"),
    chars(ALNUM_UPPER, 11),
    lit("-"),
    chars(ALNUM_UPPER, 5),
    lit("-"),
    chars(ALNUM_UPPER, 5),
    lit("-"),
    chars(ALNUM_UPPER, 5),
  ]),
  token("sonarqube-token", "SonarQube / SonarCloud token", [lit("squ_", "sqp_", "sqa_"), chars(HEX, 40)]),
  keyed("sonarqube-login-token", "SonarQube / SonarCloud token", {
    keywords: ["sonar"],
    nameMust: ["token", "login"],
    key: "sonar_token",
    value: [chars({ cls: "A-Za-z0-9_=\\-", chars: `${ALNUM.chars}_=-` }, 40, 44)],
  }),
  keyed("snyk-api-token", "Snyk API token", {
    keywords: ["snyk"],
    nameMust: ["token", "key"],
    key: "snyk_token",
    value: UUID,
  }),
  keyed("codecov-upload-token", "Codecov upload token", {
    keywords: ["codecov"],
    nameMust: ["token"],
    key: "codecov_token",
    value: UUID,
  }),
  keyed("coveralls-repo-token", "Coveralls repository token", {
    keywords: ["coveralls"],
    nameMust: ["token"],
    key: "coveralls_repo_token",
    value: [chars(ALNUM, 32, 37)],
  }),
  token("intra42-client-secret", "42 Intra client secret", [lit("s-s4t2ud-", "s-s4t2af-"), chars(HEX, 64)]),
  token("openshift-user-token", "OpenShift user token", [lit("sha256~"), chars(BASE64URL, 43)]),
  token("infracost-api-token", "Infracost API token", [lit("ico-"), chars(ALNUM, 32)]),
  token("scalingo-api-token", "Scalingo API token", [lit("tk-us-"), chars(BASE64URL, 48)]),
  token("prefect-api-key", "Prefect API key", [lit("pnu_"), chars(ALNUM, 36)]),
  token("readme-api-key", "ReadMe API key", [lit("rdme_"), chars(ALNUM_LOWER, 70)]),
  token("postman-api-key", "Postman API key", [lit("PMAK-"), chars(HEX, 24), lit("-"), chars(HEX, 34)]),
  token("linear-api-key", "Linear API key", [lit("lin_api_"), chars(ALNUM, 40)]),
  token("linear-oauth-token", "Linear OAuth token", [lit("lin_oauth_"), chars(HEX, 64)]),
  token("figma-pat", "Figma personal access token", [lit("figd_"), chars(BASE64URL, 40, 43)]),
  token("contentful-pat", "Contentful personal access token", [lit("CFPAT-"), chars(BASE64URL, 43)]),
  token("frameio-api-token", "Frame.io API token", [
    lit("fio-u-"),
    chars({ cls: "A-Za-z0-9_=\\-", chars: `${ALNUM.chars}_=-` }, 64),
  ]),
  token("typeform-pat", "Typeform personal access token", [
    lit("tfp_"),
    chars({ cls: "A-Za-z0-9_.=\\-", chars: `${ALNUM.chars}_.=-` }, 59),
  ]),
  token("tailscale-key", "Tailscale key", [
    lit("tskey-"),
    lit("api-", "auth-", "client-", "scim-", "webhook-"),
    chars(ALNUM, 10, 20),
    lit("-"),
    chars(ALNUM, 30, 40),
  ]),
  keyed("ngrok-authtoken", "ngrok authtoken", {
    keywords: ["ngrok"],
    nameMust: ["token", "key"],
    key: "ngrok_authtoken",
    value: [chars(ALNUM, 27), lit("_"), chars(ALNUM, 21)],
  }),
  token(
    "age-secret-key",
    "age encryption secret key",
    [
      lit("AGE-SECRET-KEY-1"),
      chars({ cls: "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", chars: "QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L" }, 58),
    ],
    { minEntropy: 0 },
  ),
  token(
    "kubernetes-client-key-data",
    "Kubernetes kubeconfig client key",
    [lit("client-key-data:"), lit(" ", ""), lit("LS0tLS1CRUdJTi"), chars(BASE64, 100, 6000)],
    { secretFrom: 2, keywords: ["client-key-data:"] },
  ),
];
