import { ErrorCode, ErrorCodeName, statusOf } from './error-code';

export interface FieldError {
  /** JSON pointer into the request body or query, e.g. /contacts/0/phone */
  pointer: string;
  /** the rule that failed, e.g. isEmail, whitelistValidation */
  code: string;
  message: string;
}

/**
 * The one exception type services throw. Transports render it: REST as RFC 9457
 * problem+json, GraphQL as an error with the same `code` in `extensions`.
 */
export class DomainError extends Error {
  readonly status: number;

  constructor(
    readonly code: ErrorCodeName,
    readonly params: Record<string, string | number> = {},
    readonly errors: FieldError[] = [],
    readonly headers: Record<string, string> = {},
    /**
     * RFC 9457 extension members: machine-readable facts about this occurrence beside `code`
     * (e.g. `requiredAssurance`), rendered as problem members and as GraphQL extensions. Names
     * must not collide with the standard members.
     */
    readonly extensions: Record<string, string> = {},
  ) {
    super(code);
    this.status = statusOf(code);
  }
}

export const notFound = (resource: string): DomainError => new DomainError(ErrorCode.NotFound, { resource });
