import { CallHandler, ExecutionContext, Injectable, NestInterceptor, StreamableFile } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { REDIRECT_METADATA } from '@nestjs/common/constants';
import { map, Observable } from 'rxjs';
import { contextStore } from '../context/context-store';
import { versionTag } from './if-match';
import { isLive, markShared, representationOf } from './representation';

/** True for what Express sends as JSON (plain objects, arrays, DTO instances), not files or streams. */
export function isJsonBody(body: unknown): body is object {
  if (body === null || typeof body !== 'object') return false;
  return !(
    body instanceof StreamableFile ||
    body instanceof Readable ||
    body instanceof Date ||
    Buffer.isBuffer(body) ||
    ArrayBuffer.isView(body) ||
    body instanceof ArrayBuffer ||
    (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) ||
    (typeof globalThis.Response !== 'undefined' && body instanceof globalThis.Response)
  );
}

/**
 * Strong validator of a JSON body: `"v<version>"` for a versioned resource (the same tag If-Match
 * takes back), otherwise a hash of the exact bytes Express will send.
 */
export function etagOf(body: object): string {
  return versionedTag(body) ?? hashedTag(JSON.stringify(body));
}

function versionedTag(body: object): string | null {
  const b = body as { id?: unknown; version?: unknown };
  if (!Array.isArray(body) && typeof b.id === 'string' && Number.isInteger(b.version))
    return versionTag(b.version as number);
  return null;
}

/** The tag of a body by its JSON text (also used by caches that tag an entry once). */
export function hashedTag(json: string): string {
  return `"h${createHash('sha256').update(json).digest('base64url').slice(0, 27)}"`;
}

/**
 * If-None-Match evaluation (RFC 9110 §13.1.2): `*` matches any current representation; otherwise
 * weak comparison, so `W/"v3"` matches `"v3"`. Entity tags may contain commas, hence the scan.
 */
export function noneMatchHits(header: string | undefined, tag: string): boolean {
  if (!header) return false;
  if (header.trim() === '*') return true;
  const opaque = tag.replace(/^W\//, '');
  for (const m of header.matchAll(/(?:W\/)?("[^"]*")/g)) if (m[1] === opaque) return true;
  return false;
}

/**
 * ETag + If-None-Match (→ 304) and Cache-Control on successful GET/HEAD REST responses with a JSON
 * body. Anonymous public reads may be cached but must be revalidated (cheap with the validator);
 * anything answered to a signed-in caller may name them, so it is never stored.
 */
@Injectable()
export class EtagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    if (req.method !== 'GET' && req.method !== 'HEAD') return next.handle();
    // A @Redirect() handler returns {url, statusCode} for Nest to turn into a Location: not a body.
    if (Reflect.getMetadata(REDIRECT_METADATA, context.getHandler())) return next.handle();
    return next.handle().pipe(
      map((body: unknown) => {
        if (res.statusCode !== 200 || res.headersSent || !isJsonBody(body)) return body;
        // A cached read carries its JSON, tag and caching policy, computed once per cache entry.
        const known = representationOf(body);
        const anonymous = contextStore.current()?.isAnonymous ?? true;
        // Shared by every anonymous caller while its cache holds it: the front may replay it.
        if (known && anonymous && isLive(known)) markShared(res, { text: known.json, from: [known] });
        if (!res.getHeader('Cache-Control')) {
          res.setHeader(
            'Cache-Control',
            known?.cacheControl ?? (anonymous ? 'no-cache' : 'private, no-store'),
          );
        }
        // A hashed tag needs the JSON text anyway: send that text rather than serialising twice.
        const version = known ? null : versionedTag(body);
        const json = known?.json ?? (version ? null : JSON.stringify(body));
        const tag = known?.etag ?? version ?? hashedTag(json!);
        res.setHeader('ETag', tag);
        if (noneMatchHits(req.headers['if-none-match'], tag)) {
          res.status(304);
          return undefined;
        }
        if (json === null) return body;
        res.setHeader('Content-Type', 'application/json; charset=utf-8');
        return json;
      }),
    );
  }
}
