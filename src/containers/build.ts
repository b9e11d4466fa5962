import { existsSync } from "node:fs";
import { join } from "node:path";
import type Docker from "dockerode";
import { OperationError } from "../errors.js";
import type { LogFile } from "../runtime/log-file.js";
import { packContext } from "./build-context.js";
import { type PinnedImage, resolveImage } from "./image.js";
import { EngineStreamError, followProgress } from "./progress.js";

export interface BuildSpec {
  /** The uploaded source: the release directory. */
  contextDir: string;
  /** The Dockerfile's path inside it (validated by the config schema: relative, no `..`). */
  dockerfile: string;
  /** `build_args:` from skiff.yml. Committed values only: secrets never go here (they stay in the image's history). */
  buildArgs: Record<string, string>;
  /** The local tag, e.g. skiff-<agent>/<app>:<release>. */
  tag: string;
  labels: Record<string, string>;
  log: LogFile;
}

/**
 * Builds the image on the agent's engine, streaming the build's output into the release log, and returns it
 * pinned by id. A failing step rejects with the engine's message (the log holds the step's output).
 */
export async function buildImage(docker: Docker, spec: BuildSpec): Promise<PinnedImage> {
  if (!existsSync(join(spec.contextDir, spec.dockerfile))) {
    throw new OperationError(`dockerfile: ${spec.dockerfile} is not in the uploaded source`);
  }
  spec.log.note(`building ${spec.tag} from ${spec.dockerfile}`);
  const started = Date.now();
  const stream = await docker.buildImage(packContext(spec.contextDir, spec.dockerfile), {
    t: spec.tag,
    dockerfile: spec.dockerfile,
    buildargs: spec.buildArgs,
    labels: spec.labels,
    // Intermediate containers are removed even when a step fails: nothing is left behind.
    rm: true,
    forcerm: true,
  });
  try {
    await followProgress(stream, (message) => {
      if (message.stream) spec.log.write(message.stream);
    });
  } catch (error) {
    if (error instanceof EngineStreamError) {
      spec.log.note(`build failed: ${error.message}`);
      throw new OperationError(`the image build failed: ${error.message}`);
    }
    throw error;
  }
  const image = await resolveImage(docker, spec.tag);
  if (!image) throw new OperationError(`the build of ${spec.tag} ended without an image`);
  spec.log.note(`built ${spec.tag}: ${image.id} in ${Date.now() - started}ms`);
  return image;
}

/** The tag Skiff gives the image it builds for a release. */
export function releaseTag(agent: string, app: string, release: string): string {
  return `skiff-${agent}/${app}:${release.toLowerCase()}`;
}
