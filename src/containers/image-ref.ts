/**
 * Image references as the engine reads them: `[registry[:port]/]path[:tag][@digest]`, following the
 * grammar of distribution/reference. Pure, so skiff.yml is checked before anything talks to an engine.
 */

export interface ImageRef {
  /** The registry host (`ghcr.io`, `127.0.0.1:5000`), or `docker.io` when the reference names none. */
  registry: string;
  /** The repository path in that registry (`me/app`, `library/postgres`). */
  path: string;
  tag: string | undefined;
  digest: string | undefined;
}

export const DEFAULT_REGISTRY = "docker.io";
/** The address Docker Hub credentials are stored and sent under. */
export const DOCKER_HUB_AUTH_ADDRESS = "https://index.docker.io/v1/";

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const HOST =
  /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:]+\])(?::\d{1,5})?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

export const IMAGE_REF_HINT = "an image reference like ghcr.io/me/app:1.2.3 or postgres:16";

/** The parsed reference, or a reason it is not one (for a config message). */
export function parseImageRef(text: string): ImageRef | { error: string } {
  if (text.length === 0 || text.length > 512) return { error: `expected ${IMAGE_REF_HINT}` };
  if (/\s/.test(text)) return { error: "must not contain spaces" };
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) return { error: "expected the digest after @ to be sha256: and 64 hex digits" };
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.lastIndexOf(":");
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag))
      return { error: `the tag ${JSON.stringify(tag)} is not valid (letters, digits, _ . -)` };
  }
  const parts = rest.split("/");
  let registry = DEFAULT_REGISTRY;
  // The first part is a registry host when it looks like one: a dot, a port, or localhost.
  if (parts.length > 1 && /[.:]|^localhost$|^\[/.test(parts[0]!)) {
    registry = parts.shift()!;
    if (!HOST.test(registry)) return { error: `the registry ${JSON.stringify(registry)} is not a host name` };
  }
  if (parts.some((part) => !COMPONENT.test(part))) {
    return { error: "expected lowercase letters, digits and separators (. _ -) in the repository path" };
  }
  const path = registry === DEFAULT_REGISTRY && parts.length === 1 ? `library/${parts[0]}` : parts.join("/");
  return { registry, path, tag, digest };
}

/** The reference the engine is asked for: with `:latest` when it names neither tag nor digest. */
export function pullReference(ref: ImageRef): string {
  const name = repositoryName(ref);
  if (ref.digest) return `${name}${ref.tag ? `:${ref.tag}` : ""}@${ref.digest}`;
  return `${name}:${ref.tag ?? "latest"}`;
}

/** The repository as it appears in an image's RepoDigests (`127.0.0.1:5000/me/app`, `postgres`). */
export function repositoryName(ref: ImageRef): string {
  return ref.registry === DEFAULT_REGISTRY
    ? ref.path.replace(/^library\//, "")
    : `${ref.registry}/${ref.path}`;
}
