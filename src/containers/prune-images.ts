import type Docker from "dockerode";
import { engineErrorMessage, engineStatusCode } from "./engine.js";

/** A release and the image id it runs (pinned when it was built or pulled). */
export interface ReleaseImage {
  release: string;
  image: string;
}

/**
 * The images the pruned releases used that no kept release needs. Pure: `kept` holds every release that
 * stays (the live one, the warm one, the last keep_releases), and an image two releases share (a rollback,
 * a redeploy of the same build) stays while either is kept.
 */
export function imagesToRemove(pruned: ReleaseImage[], kept: ReleaseImage[]): string[] {
  const needed = new Set(kept.map((r) => r.image));
  return [...new Set(pruned.map((r) => r.image))].filter((image) => !needed.has(image));
}

export interface RemovalReport {
  removed: string[];
  /**
   * What the engine refused, with its reason: an image a container still uses (an accessory, a container
   * someone started by hand) or one tagged in several repositories. Reported, never forced.
   */
  refused: Array<{ image: string; reason: string }>;
}

/** Removes images by id without forcing; an image already gone counts as removed. */
export async function removeImages(docker: Docker, ids: string[]): Promise<RemovalReport> {
  const report: RemovalReport = { removed: [], refused: [] };
  for (const id of ids) {
    try {
      await docker.getImage(id).remove({ force: false });
      report.removed.push(id);
    } catch (error) {
      const status = engineStatusCode(error);
      if (status === 404) report.removed.push(id);
      else if (status === 409) report.refused.push({ image: id, reason: engineErrorMessage(error) });
      else throw error;
    }
  }
  return report;
}
