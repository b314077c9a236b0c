import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

/** Strong ETag of a versioned resource. W/ tags never match If-Match (RFC 9110 strong comparison). */
export const versionTag = (version: number): string => `"v${version}"`;

function parseVersion(header: string | undefined): number | undefined {
  if (!header) return undefined;
  const m = /^\s*"v(\d{1,9})"\s*$/.exec(header);
  // A tag we never issued (or a weak one) cannot match the current version.
  return m ? Number(m[1]) : -1;
}

/**
 * The version the caller expects, from If-Match. Missing → 428 (updates must not be blind);
 * the service compares with assertVersion() → 412 when someone else changed the resource.
 */
export const IfMatch = createParamDecorator((_: unknown, context: ExecutionContext): number => {
  const req = context.switchToHttp().getRequest<Request>();
  const v = parseVersion(req.headers['if-match']);
  if (v === undefined) throw new DomainError(ErrorCode.PreconditionRequired);
  return v;
});

/**
 * If-Match made optional, for transitions that are safe to repeat blind (the state check refuses a
 * second one) while a console that read the resource can still say which version it saw.
 */
export const OptionalIfMatch = createParamDecorator(
  (_: unknown, context: ExecutionContext): number | undefined =>
    parseVersion(context.switchToHttp().getRequest<Request>().headers['if-match']),
);

export function assertVersion(entity: { version: number }, expected: number | undefined): void {
  if (expected !== undefined && entity.version !== expected)
    throw new DomainError(ErrorCode.PreconditionFailed);
}
