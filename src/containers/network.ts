import type Docker from "dockerode";
import { engineStatusCode, idempotent } from "./engine.js";

/**
 * The user-defined bridge network of one app and environment: its accessories join it under their names
 * (`db`, `cache`) and its app containers join it, so the app reaches `db:5432` whichever container runs it.
 */
export async function ensureNetwork(
  docker: Docker,
  name: string,
  labels: Record<string, string>,
): Promise<void> {
  if (await networkExists(docker, name)) return;
  try {
    await docker.createNetwork({ Name: name, Driver: "bridge", Labels: labels, CheckDuplicate: true });
  } catch (error) {
    // Created at the same moment by another start: what matters is that it exists.
    if (engineStatusCode(error) !== 409) throw error;
  }
}

export async function removeNetwork(docker: Docker, name: string): Promise<void> {
  if (await networkExists(docker, name)) await idempotent(() => docker.getNetwork(name).remove(), [404, 409]);
}

async function networkExists(docker: Docker, name: string): Promise<boolean> {
  const found = await docker.listNetworks({ filters: { name: [name] } });
  // The engine's name filter matches substrings: compare exactly.
  return found.some((n) => n.Name === name);
}
