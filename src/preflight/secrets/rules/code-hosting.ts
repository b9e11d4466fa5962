import { ALNUM, BASE64URL, type Charset, HEX, HEX_ANY } from "../charsets.js";
import { keyed } from "../keyed-rule.js";
import { chars, lit, type SecretRule } from "../rule.js";
import { token } from "../token-rule.js";

const B64URL_EQ: Charset = { cls: "A-Za-z0-9_\\-=", chars: `${ALNUM.chars}_-=` };

/** GitHub, GitLab, Bitbucket, Atlassian, Gitea, Sourcegraph. */
export const codeHostingRules: SecretRule[] = [
  token("github-pat", "GitHub personal access token", [lit("ghp_"), chars(ALNUM, 36)]),
  token("github-oauth-token", "GitHub OAuth access token", [lit("gho_"), chars(ALNUM, 36)]),
  token("github-user-to-server-token", "GitHub App user-to-server token", [lit("ghu_"), chars(ALNUM, 36)]),
  token("github-server-to-server-token", "GitHub App installation token", [lit("ghs_"), chars(ALNUM, 36)]),
  token("github-refresh-token", "GitHub refresh token", [lit("ghr_"), chars(ALNUM, 36, 76)]),
  token("github-fine-grained-pat", "GitHub fine-grained personal access token", [
    lit("github_pat_"),
    chars(ALNUM, 22),
    lit("_"),
    chars(ALNUM, 59),
  ]),
  token("gitlab-pat", "GitLab personal access token", [lit("glpat-"), chars(BASE64URL, 20)]),
  token("gitlab-pat-routable", "GitLab personal access token (routable)", [
    lit("glpat-"),
    chars(BASE64URL, 27, 300),
    lit("."),
    chars({ cls: "0-9a-z", chars: "0123456789abcdefghijklmnopqrstuvwxyz" }, 2),
    lit("."),
    chars({ cls: "0-9a-z", chars: "0123456789abcdefghijklmnopqrstuvwxyz" }, 9),
  ]),
  token("gitlab-pipeline-trigger-token", "GitLab pipeline trigger token", [lit("glptt-"), chars(HEX, 40)]),
  token("gitlab-runner-registration-token", "GitLab runner registration token", [
    lit("GR1348941"),
    chars(BASE64URL, 20),
  ]),
  token("gitlab-runner-auth-token", "GitLab runner authentication token", [
    lit("glrt-"),
    chars(BASE64URL, 20),
  ]),
  token("gitlab-deploy-token", "GitLab deploy token", [lit("gldt-"), chars(BASE64URL, 20)]),
  token("gitlab-feed-token", "GitLab feed token", [lit("glft-"), chars(BASE64URL, 20)]),
  token("gitlab-incoming-mail-token", "GitLab incoming mail token", [lit("glimt-"), chars(BASE64URL, 25)]),
  token("gitlab-kubernetes-agent-token", "GitLab Kubernetes agent token", [
    lit("glagent-"),
    chars(BASE64URL, 50),
  ]),
  token("gitlab-oauth-app-secret", "GitLab OAuth application secret", [lit("gloas-"), chars(BASE64URL, 64)]),
  token("gitlab-scim-token", "GitLab SCIM OAuth token", [lit("glsoat-"), chars(BASE64URL, 20)]),
  token("gitlab-feature-flag-client-token", "GitLab feature flags client token", [
    lit("glffct-"),
    chars(BASE64URL, 20),
  ]),
  token("gitlab-cicd-job-token", "GitLab CI/CD job token", [
    lit("glcbt-"),
    chars(ALNUM, 1, 5),
    lit("_"),
    chars(BASE64URL, 20),
  ]),
  token("bitbucket-app-password", "Bitbucket app password", [lit("ATBB"), chars(ALNUM, 32)]),
  keyed("bitbucket-client-secret", "Bitbucket OAuth client secret", {
    keywords: ["bitbucket"],
    nameMust: ["secret"],
    key: "bitbucket_client_secret",
    value: [chars(B64URL_EQ, 64)],
  }),
  token("atlassian-api-token", "Atlassian API token", [lit("ATATT3"), chars(B64URL_EQ, 186)]),
  keyed("atlassian-legacy-api-token", "Atlassian (Jira/Confluence) API token", {
    keywords: ["atlassian", "jira", "confluence"],
    nameMust: ["token", "key", "secret"],
    key: "jira_api_token",
    value: [chars(ALNUM, 24)],
  }),
  keyed("gitea-access-token", "Gitea access token", {
    keywords: ["gitea", "codeberg"],
    nameMust: ["token", "key"],
    key: "gitea_token",
    value: [chars(HEX, 40)],
  }),
  token("sourcegraph-access-token", "Sourcegraph access token", [lit("sgp_"), chars(HEX_ANY, 40)]),
  token("sourcegraph-access-token-v2", "Sourcegraph access token (instance-bound)", [
    lit("sgp_"),
    chars(HEX_ANY, 16),
    lit("_"),
    chars(HEX_ANY, 40),
  ]),
  token("sourcegraph-access-token-local", "Sourcegraph access token (local)", [
    lit("sgp_local_"),
    chars(HEX_ANY, 40),
  ]),
  keyed("sourcegraph-access-token-keyed", "Sourcegraph access token", {
    keywords: ["sourcegraph"],
    key: "sourcegraph_token",
    value: [chars(HEX_ANY, 40)],
  }),
];
