// Stable identities for Grafana objects, derived from model names only: renaming a title or
// reordering the model never changes a uid or a panel id (links and bookmarks keep working).
import { createHash } from "node:crypto";

/** Grafana rejects uids longer than this. */
export const UID_MAX_LENGTH = 40;

/** `project-env-name` when it fits; otherwise its start and a hash of all parts. */
export function stableUid(...parts: string[]): string {
  const readable = parts
    .join("-")
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  if (readable.length <= UID_MAX_LENGTH) return readable;
  const hash = createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, 8);
  return `${readable.slice(0, UID_MAX_LENGTH - hash.length - 1).replace(/-$/, "")}-${hash}`;
}

const ID_SPACE = 2 ** 31 - 1;

/**
 * Panel ids from panel keys: a hash of the key, probing past a collision. Keys are visited in
 * sorted order, so the result depends on the set of keys, never on where a panel sits.
 */
export function panelIds(keys: string[]): Map<string, number> {
  const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
  if (duplicate !== undefined) throw new Error(`panel key "${duplicate}" is used twice in one dashboard`);
  const ids = new Map<string, number>();
  const used = new Set<number>();
  for (const key of [...keys].sort()) {
    let id = (createHash("sha256").update(key).digest().readUInt32BE(0) % ID_SPACE) + 1;
    while (used.has(id)) id = (id % ID_SPACE) + 1;
    used.add(id);
    ids.set(key, id);
  }
  return ids;
}
