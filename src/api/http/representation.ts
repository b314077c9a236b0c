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
