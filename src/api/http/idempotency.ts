import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiConflictResponse, ApiHeader, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import type { RequestContext } from '../context/request-context';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

export const IDEMPOTENT_KEY = 'onewindow:idempotent';

export interface IdempotentOptions {
  /** refuse the request (400 IDEMPOTENCY_KEY_INVALID) when it carries no Idempotency-Key */
  required?: boolean;
  /**
   * The body streams past interceptors (an upload): the handler itself binds the key to what it
   * read, through IdempotencyService.once with the header's key, once the bytes are in; the
   * interceptor only checks the key and marks a replayed answer.
   */
  streamed?: boolean;
}

/** 1–255 letters, digits, hyphens or underscores (GOV.UK Pay's rule; Stripe's 255 limit). */
const KEY_RE = /^[A-Za-z0-9_-]{1,255}$/;

/**
 * Marks a POST as taking an Idempotency-Key (draft-ietf-httpapi-idempotency-key-header): the
 * request runs at most once per key, its answer is stored in the same transaction as its effect,
 * and a retry with the same key and body replays it, even after a crash. The key is documented in
 * OpenAPI with its expiry, as the draft asks servers to publish it.
 */
export const Idempotent = (options: IdempotentOptions = {}) =>
  applyDecorators(
    SetMetadata(IDEMPOTENT_KEY, options),
    ApiHeader({
      name: 'Idempotency-Key',
      required: options.required === true,
      description:
        'Unique key of this request (an RFC 8941 string such as `"8e03978e-40d5-43e8"`, or the bare value): ' +
        '1 to 255 letters, digits, `-` or `_`. A retry with the same key and body replays the first ' +
        'response with `Idempotent-Replayed: true`, also after a crash or a lost connection: the answer ' +
        'commits with the effect. Keys are scoped to the caller and kept for IDEMPOTENCY_TTL_HOURS ' +
        '(24 hours by default); failed requests are not kept.',
      schema: { type: 'string', minLength: 1, maxLength: 257, pattern: '^"?[A-Za-z0-9_-]{1,255}"?$' },
    }),
    ApiConflictResponse({
      description:
        'IDEMPOTENCY_KEY_IN_FLIGHT: a request with this Idempotency-Key is still being processed (retry after ' +
        'Retry-After), or a conflict of the operation itself (problem+json)',
    }),
    ApiUnprocessableEntityResponse({
      description: 'The Idempotency-Key was used for a request with a different body (problem+json)',
    }),
  );

/**
 * The key from the header: an sf-string (`"abc"`) or a bare token. Anything else (several
 * values, escapes, other characters, too long) is refused rather than guessed at.
 */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const raw = Array.isArray(header) ? header.join(', ') : header.trim();
  const value = raw.length >= 2 && raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw;
  if (!KEY_RE.test(value)) throw new DomainError(ErrorCode.IdempotencyKeyInvalid);
  return value;
}

/** Whose key it is: two callers' keys never collide. Anonymous callers are told apart by IP. */
export function idempotencyScope(ctx: RequestContext): string {
  const { kind, id } = ctx.actor;
  return kind === 'anonymous' || !id ? `ip:${ctx.ip ?? 'unknown'}` : `${kind}:${id}`;
}

/** JSON with object keys sorted at every level, so `{a,b}` and `{b,a}` fingerprint alike. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const src = v as Record<string, unknown>;
      return Object.fromEntries(
        Object.keys(src)
          .sort()
          .map((k) => [k, src[k]]),
      );
    }
    return v;
  });
}

/** sha256 (hex) of method, path and canonical body: "same request" in the draft's sense. */
export function requestFingerprint(method: string, path: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()} ${path}\n${canonicalJson(body)}`)
    .digest('hex');
}
