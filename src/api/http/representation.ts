/**
 * A body that already knows its wire form: the JSON text, its strong ETag and the Cache-Control it
 * may be served with. Services that cache a read (the published catalogue) attach it once per
 * cached entry, so the ETag interceptor neither hashes nor re-serialises on a warm read. Kept on a
 * symbol, so JSON.stringify, GraphQL and class-transformer never see it; adapter-free.
 */
export interface Representation {
  json: string;
  etag: string;
  cacheControl?: string;
  /**
   * Set by a shared cache while the entry is stored (its expiry, ms since the epoch) and zeroed
   * when the cache drops it (invalidation, eviction, TTL): while it lies ahead, the answer is the
   * same for every anonymous caller and the public-read front (public-read-front.ts) may replay it.
   */
  liveUntil?: number;
}

const REPRESENTATION = Symbol('onewindow:representation');

export function withRepresentation<T extends object>(body: T, representation: Representation): T {
  Object.defineProperty(body, REPRESENTATION, { value: representation, enumerable: false });
  return body;
}

export function representationOf(body: unknown): Representation | undefined {
  return body !== null && typeof body === 'object'
    ? (body as { [REPRESENTATION]?: Representation })[REPRESENTATION]
    : undefined;
}

/** True while a shared cache still holds the representation (see Representation.liveUntil). */
export function isLive(representation: Representation, now = Date.now()): boolean {
  return (representation.liveUntil ?? 0) > now;
}

/**
 * What a handler chain hands the public-read front when its answer is the same for every
 * anonymous caller: the exact body text and the shared cache entries it was built from (it stays
 * replayable while every one of them is live).
 */
export interface SharedAnswer {
  text: string;
  from: readonly Representation[];
}

const SHARED = Symbol('onewindow:shared-answer');

/** Called on the response by the ETag interceptor (REST) or the GraphQL plugin when the answer is shared. */
export function markShared(response: object, answer: SharedAnswer): void {
  (response as { [SHARED]?: SharedAnswer })[SHARED] = answer;
}

export function sharedAnswerOf(response: object): SharedAnswer | undefined {
  return (response as { [SHARED]?: SharedAnswer })[SHARED];
}
