export interface LivePreview {
  slug: string;
  /** When the preview last deployed (ms since the epoch): a push to its branch renews it. */
  deployedAt: number;
}

/**
 * Pure. The previews to remove: those not deployed for `ttlMs`, then the oldest beyond `max`, counting
 * the one about to deploy (`incoming`, a slug) when it is new. The incoming preview itself is never removed.
 */
export function previewsToRemove(
  live: LivePreview[],
  policy: { max: number; ttlMs: number },
  now: number,
  incoming?: string,
): string[] {
  const expired = live.filter((p) => p.slug !== incoming && now - p.deployedAt > policy.ttlMs);
  const kept = live.filter((p) => !expired.includes(p));
  const room = incoming && !kept.some((p) => p.slug === incoming) ? policy.max - 1 : policy.max;
  const overflow = kept
    .filter((p) => p.slug !== incoming)
    .sort((a, b) => a.deployedAt - b.deployedAt)
    .slice(0, Math.max(0, kept.length - room));
  return [...expired, ...overflow].map((p) => p.slug);
}
