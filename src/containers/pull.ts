import type Docker from "dockerode";
import type { LogFile } from "../runtime/log-file.js";
import { type PinnedImage, resolveImage } from "./image.js";
import { type ImageRef, pullReference } from "./image-ref.js";
import { followProgress, type ProgressMessage } from "./progress.js";
import type { RegistryAuth } from "./registry-auth.js";

/**
 * Pulls `ref` (with `auth` when the registry needs it), writing the engine's layer statuses to the release
 * log, and returns the image pinned by id and registry digest.
 */
export async function pullImage(
  docker: Docker,
  ref: ImageRef,
  options: { auth?: RegistryAuth; log?: LogFile } = {},
): Promise<PinnedImage> {
  const reference = pullReference(ref);
  options.log?.note(`pulling ${reference}${options.auth ? ` as ${options.auth.username}` : ""}`);
  const stream = await docker.pull(reference, options.auth ? { authconfig: options.auth } : {});
  await followProgress(stream, (message) => {
    const line = pullLine(message);
    if (line) options.log?.write(`${line}\n`);
  });
  const image = await resolveImage(docker, reference, ref);
  if (!image) throw new Error(`the engine pulled ${reference} but does not list it`);
  options.log?.note(`pulled ${reference}: ${image.id}${image.repoDigest ? ` (${image.repoDigest})` : ""}`);
  return image;
}

/** One log line per layer event, without the progress bars the engine sends many times a second. */
export function pullLine(message: ProgressMessage): string | undefined {
  if (!message.status || message.progress !== undefined) return undefined;
  if (message.status === "Downloading" || message.status === "Extracting") return undefined;
  return message.id ? `${message.id}: ${message.status}` : message.status;
}
