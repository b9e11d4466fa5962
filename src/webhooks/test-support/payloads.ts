import { randomBytes } from "node:crypto";

/** A fresh secret per test run; never a literal, so no scanner mistakes a fixture for a real secret. */
export function fakeSecret(): string {
  return ["hook", randomBytes(12).toString("hex")].join("-");
}

export function fakeSha(seed: string): string {
  return Buffer.from(seed.padEnd(20, ".")).subarray(0, 20).toString("hex");
}

export const ZEROS = "0".repeat(40);

/** A push payload shaped like GitHub's (the fields GitHub sends that we read, plus some we do not). */
export function githubPushPayload(
  options: { branch?: string; ref?: string; after?: string; deleted?: boolean } = {},
) {
  const after = options.after ?? fakeSha("after");
  return {
    ref: options.ref ?? `refs/heads/${options.branch ?? "main"}`,
    before: fakeSha("before"),
    after,
    created: false,
    deleted: options.deleted ?? false,
    forced: false,
    base_ref: null,
    compare: "https://github.com/me/hello/compare/a...b",
    commits: options.deleted
      ? []
      : [
          {
            id: fakeSha("first"),
            tree_id: fakeSha("tree1"),
            distinct: true,
            message: "feat: first\n\nbody",
            timestamp: "2026-05-01T10:00:00+02:00",
            url: "https://github.com/me/hello/commit/1",
            author: { name: "Ada", email: "ada@example.test", username: "ada" },
            committer: { name: "Ada", email: "ada@example.test", username: "ada" },
            added: [],
            removed: [],
            modified: ["server.js"],
          },
          {
            id: after,
            tree_id: fakeSha("tree2"),
            distinct: true,
            message: "fix: second",
            timestamp: "2026-05-01T10:05:00+02:00",
            url: "https://github.com/me/hello/commit/2",
            author: { name: "Grace", email: "grace@example.test", username: "grace" },
            committer: { name: "Grace", email: "grace@example.test", username: "grace" },
            added: [],
            removed: [],
            modified: ["server.js"],
          },
        ],
    head_commit: null,
    repository: { id: 1, name: "hello", full_name: "me/hello", clone_url: "https://github.com/me/hello.git" },
    pusher: { name: "grace", email: "grace@example.test" },
    sender: { login: "grace", id: 2 },
  };
}

/** A `Push Hook` payload shaped like GitLab's. */
export function gitlabPushPayload(options: { branch?: string; after?: string } = {}) {
  const after = options.after ?? fakeSha("after");
  return {
    object_kind: "push",
    event_name: "push",
    before: fakeSha("before"),
    after,
    ref: `refs/heads/${options.branch ?? "main"}`,
    ref_protected: true,
    checkout_sha: /^0+$/.test(after) ? null : after,
    user_id: 4,
    user_name: "Grace Hopper",
    user_username: "grace",
    user_email: "",
    project_id: 15,
    project: {
      id: 15,
      name: "hello",
      path_with_namespace: "me/hello",
      git_ssh_url: "git@gitlab.com:me/hello.git",
    },
    commits: /^0+$/.test(after)
      ? []
      : [
          {
            id: after,
            message: "fix: second\n",
            title: "fix: second",
            timestamp: "2026-05-01T10:05:00+02:00",
            url: "https://gitlab.com/me/hello/-/commit/2",
            author: { name: "Grace Hopper", email: "grace@example.test" },
            added: [],
            modified: ["server.js"],
            removed: [],
          },
        ],
    total_commits_count: 1,
    repository: { name: "hello" },
  };
}
