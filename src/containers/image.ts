import type Docker from "dockerode";
import { engineStatusCode } from "./engine.js";
import { type ImageRef, repositoryName } from "./image-ref.js";

/**
 * An image as a release records it: the id (the digest of its config, what containers are created from,
 * so a tag pushed again later never changes what a release or its rollback runs) and, for pulled images,
 * the registry digest (`repo@sha256:…`) that names the same content anywhere.
 */
export interface PinnedImage {
  id: string;
  repoDigest: string | undefined;
  /** The TCP ports the image EXPOSEs, lowest first. */
  exposedPorts: number[];
  /** The image's WORKDIR ("" when it sets none): where a release's storage paths are mounted. */
  workingDir: string;
  sizeBytes: number;
}

/** Looks an image up by reference or id; undefined when the engine does not have it. */
export async function resolveImage(
  docker: Docker,
  nameOrId: string,
  ref?: ImageRef,
): Promise<PinnedImage | undefined> {
  let info: Docker.ImageInspectInfo;
  try {
    info = await docker.getImage(nameOrId).inspect();
  } catch (error) {
    if (engineStatusCode(error) === 404) return undefined;
    throw error;
  }
  return {
    id: info.Id,
    repoDigest: ref ? matchingRepoDigest(info.RepoDigests ?? [], ref) : info.RepoDigests?.[0],
    exposedPorts: exposedTcpPorts(info.Config?.ExposedPorts),
    workingDir: info.Config?.WorkingDir ?? "",
    sizeBytes: info.Size,
  };
}

/** The RepoDigests entry of the repository `ref` names (an image pushed to two registries has two). */
export function matchingRepoDigest(repoDigests: string[], ref: ImageRef): string | undefined {
  const repository = repositoryName(ref);
  return repoDigests.find((entry) => entry.slice(0, entry.lastIndexOf("@")) === repository);
}

/** `{ "3000/tcp": {}, "53/udp": {} }` → [3000]. */
export function exposedTcpPorts(exposed: Record<string, unknown> | undefined): number[] {
  return Object.keys(exposed ?? {})
    .map((key) => /^(\d+)(?:\/tcp)?$/.exec(key))
    .filter((match): match is RegExpExecArray => match !== null)
    .map((match) => Number(match[1]))
    .sort((a, b) => a - b);
}

export const DEFAULT_CONTAINER_PORT = 3000;

/** The port the app listens on inside its container: `port:` in skiff.yml, else the image's EXPOSE, else 3000. */
export function containerPort(
  configured: number | undefined,
  image: Pick<PinnedImage, "exposedPorts">,
): number {
  return configured ?? image.exposedPorts[0] ?? DEFAULT_CONTAINER_PORT;
}
