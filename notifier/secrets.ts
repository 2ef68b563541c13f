// Secret values by location, cached briefly: a warm Lambda does not call Secrets Manager or SSM for
// every alert, and a rotated secret is picked up within the TTL.
import { Clock } from "./clock";
import { SecretLocation } from "./types";

export interface SecretResolver {
  get(location: SecretLocation): Promise<string>;
}

/** The raw reads, one per store (the AWS SDK in the Lambda, fakes in tests). */
export interface SecretFetchers {
  secretsManager(secretId: string): Promise<string>;
  ssm(parameterName: string): Promise<string>;
}

export const DEFAULT_SECRET_TTL_MS = 5 * 60_000;

export function cachedSecrets(fetchers: SecretFetchers, opts: { ttlMs?: number; clock: Pick<Clock, "now"> }): SecretResolver {
  const ttl = opts.ttlMs ?? DEFAULT_SECRET_TTL_MS;
  // The promise is cached, so concurrent deliveries share one request; failures are not cached.
  const cache = new Map<string, { expires: number; value: Promise<string> }>();
  const read = (key: string, load: () => Promise<string>): Promise<string> => {
    const hit = cache.get(key);
    if (hit && hit.expires > opts.clock.now()) return hit.value;
    const value = load();
    cache.set(key, { expires: opts.clock.now() + ttl, value });
    value.catch(() => cache.delete(key));
    return value;
  };
  return {
    async get(location) {
      if ("ssm" in location) return read(`ssm:${location.ssm}`, () => fetchers.ssm(location.ssm));
      const raw = await read(`sm:${location.secretsManager}`, () => fetchers.secretsManager(location.secretsManager));
      return location.jsonKey === undefined ? raw : jsonField(raw, location);
    },
  };
}

function jsonField(raw: string, location: { secretsManager: string; jsonKey?: string }): string {
  let doc: unknown;
  try {
    doc = JSON.parse(raw);
  } catch {
    throw new Error(`secret ${location.secretsManager} is not JSON, so json_key "${location.jsonKey}" cannot be read`);
  }
  const value = (doc as Record<string, unknown> | null)?.[location.jsonKey!];
  if (typeof value !== "string" || !value) throw new Error(`secret ${location.secretsManager} has no string field "${location.jsonKey}"`);
  return value;
}
