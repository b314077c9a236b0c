import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { ApiHeader, ApiPreconditionFailedResponse, ApiResponse } from '@nestjs/swagger';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

/** Strong ETag of a versioned resource. W/ tags never match If-Match (RFC 9110 strong comparison). */
export const versionTag = (version: number): string => `"v${version}"`;

/** "no version to compare": `If-Match: *` matches any current representation (RFC 9110 §13.1.1). */
const ANY = undefined;

function parseVersion(header: string | undefined): number | undefined {
  if (!header) return undefined;
  if (header.trim() === '*') return ANY;
  // A list matches when one of its tags does. Versions only grow, so the newest tag in the list is
  // compared: an update is never let through blind; at worst a list naming an older current version
  // as well as a newer one gets a conservative 412.
  const versions = header.split(',').map((tag) => /^\s*"v(\d{1,9})"\s*$/.exec(tag));
  // A tag we never issued (or a weak one) cannot match the current version.
  const issued = versions.filter((m) => m !== null).map((m) => Number(m[1]));
  return issued.length ? Math.max(...issued) : -1;
}

/**
 * Documents what reading If-Match means for the operation (the parameter decorator is invisible to
 * swagger otherwise): the header, 412 when the version moved on, and 428 when it is required.
 */
const documentIfMatch =
  (required: boolean) =>
  (target: object, key: string | symbol | undefined): void => {
    if (key === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(target, key);
    if (!descriptor) return;
    const decorators = [
      ApiHeader({
        name: 'If-Match',
        required,
        description:
          'The ETag (`"v<version>"`) of the representation the caller last saw, or `*`' +
          (required ? '. Required: an update is never blind (428 without it).' : ' (optional).'),
        schema: { type: 'string', maxLength: 1024, pattern: '^[\\x20-\\x7E]*$' },
      }),
      ApiPreconditionFailedResponse({
        description: 'PRECONDITION_FAILED: the resource changed since that ETag (problem+json)',
      }),
      ...(required
        ? [
            ApiResponse({
              status: 428,
              description: 'PRECONDITION_REQUIRED: the request has no If-Match (problem+json)',
            }),
          ]
        : []),
    ];
    for (const decorate of decorators) decorate(target, key, descriptor);
  };

/**
 * The version the caller expects, from If-Match. Missing → 428 (updates must not be blind);
 * the service compares with assertVersion() → 412 when someone else changed the resource.
 */
export const IfMatch = createParamDecorator(
  (_: unknown, context: ExecutionContext): number | undefined => {
    const req = context.switchToHttp().getRequest<Request>();
    const header = req.headers['if-match'];
    if (!header) throw new DomainError(ErrorCode.PreconditionRequired);
    return parseVersion(header);
  },
  [documentIfMatch(true)],
);

/**
 * If-Match made optional, for transitions that are safe to repeat blind (the state check refuses a
 * second one) while a console that read the resource can still say which version it saw.
 */
export const OptionalIfMatch = createParamDecorator(
  (_: unknown, context: ExecutionContext): number | undefined =>
    parseVersion(context.switchToHttp().getRequest<Request>().headers['if-match']),
  [documentIfMatch(false)],
);

export function assertVersion(entity: { version: number }, expected: number | undefined): void {
  if (expected !== undefined && entity.version !== expected)
    throw new DomainError(ErrorCode.PreconditionFailed);
}
