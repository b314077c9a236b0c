import { DeclaredErrorCode, errorRegistry } from './error-registry';

/**
 * The one vocabulary of error codes, shared by REST (problem+json `code`) and GraphQL
 * (`extensions.code`). Codes and type URIs are stable and language-neutral; only title and
 * detail are translated.
 */
export enum ErrorCode {
  ValidationFailed = 'VALIDATION_FAILED',
  MalformedJson = 'MALFORMED_JSON',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  BodyTooComplex = 'BODY_TOO_COMPLEX',
  InvalidCursor = 'INVALID_CURSOR',
  RouteNotFound = 'ROUTE_NOT_FOUND',
  MethodNotAllowed = 'METHOD_NOT_ALLOWED',
  NotFound = 'NOT_FOUND',
  Unauthenticated = 'UNAUTHENTICATED',
  InvalidToken = 'INVALID_TOKEN',
  Forbidden = 'FORBIDDEN',
  Conflict = 'CONFLICT',
  PreconditionFailed = 'PRECONDITION_FAILED',
  PreconditionRequired = 'PRECONDITION_REQUIRED',
  IdempotencyKeyInvalid = 'IDEMPOTENCY_KEY_INVALID',
  IdempotencyKeyReused = 'IDEMPOTENCY_KEY_REUSED',
  IdempotencyKeyInFlight = 'IDEMPOTENCY_KEY_IN_FLIGHT',
  RateLimited = 'RATE_LIMITED',
  QueryTooComplex = 'QUERY_TOO_COMPLEX',
  InvalidCredentials = 'INVALID_CREDENTIALS',
  AccountNotVerified = 'ACCOUNT_NOT_VERIFIED',
  AccountDisabled = 'ACCOUNT_DISABLED',
  IdentityAssuranceRequired = 'IDENTITY_ASSURANCE_REQUIRED',
  SecondFactorRequired = 'SECOND_FACTOR_REQUIRED',
  SecondFactorEnrolmentRequired = 'SECOND_FACTOR_ENROLMENT_REQUIRED',
  InvalidRefreshToken = 'INVALID_REFRESH_TOKEN',
  VerificationCodeInvalid = 'VERIFICATION_CODE_INVALID',
  InvalidState = 'INVALID_STATE',
  InvalidTransition = 'INVALID_TRANSITION',
  SeparationOfDuties = 'SEPARATION_OF_DUTIES',
  FileRejected = 'FILE_REJECTED',
  OidcStateInvalid = 'OIDC_STATE_INVALID',
  OidcProviderError = 'OIDC_PROVIDER_ERROR',
  OidcIdTokenInvalid = 'OIDC_ID_TOKEN_INVALID',
  OidcAcrNotMet = 'OIDC_ACR_NOT_MET',
  OidcCodeInvalid = 'OIDC_CODE_INVALID',
  AuditCheckpointRejected = 'AUDIT_CHECKPOINT_REJECTED',
  AuditWitnessConflict = 'AUDIT_WITNESS_CONFLICT',
  ServiceUnavailable = 'SERVICE_UNAVAILABLE',
  Internal = 'INTERNAL',
}

export const ERROR_STATUS: Record<ErrorCode, number> = {
  [ErrorCode.ValidationFailed]: 400,
  [ErrorCode.MalformedJson]: 400,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.PayloadTooLarge]: 413,
  [ErrorCode.BodyTooComplex]: 413,
  [ErrorCode.InvalidCursor]: 400,
  [ErrorCode.RouteNotFound]: 404,
  [ErrorCode.MethodNotAllowed]: 405,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.InvalidToken]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.PreconditionFailed]: 412,
  [ErrorCode.PreconditionRequired]: 428,
  [ErrorCode.IdempotencyKeyInvalid]: 400,
  [ErrorCode.IdempotencyKeyReused]: 422,
  [ErrorCode.IdempotencyKeyInFlight]: 409,
  [ErrorCode.RateLimited]: 429,
  [ErrorCode.QueryTooComplex]: 400,
  [ErrorCode.InvalidCredentials]: 401,
  [ErrorCode.AccountNotVerified]: 403,
  [ErrorCode.AccountDisabled]: 403,
  [ErrorCode.IdentityAssuranceRequired]: 403,
  [ErrorCode.SecondFactorRequired]: 401,
  [ErrorCode.SecondFactorEnrolmentRequired]: 403,
  [ErrorCode.InvalidRefreshToken]: 401,
  [ErrorCode.VerificationCodeInvalid]: 400,
  [ErrorCode.InvalidState]: 409,
  [ErrorCode.InvalidTransition]: 409,
  [ErrorCode.SeparationOfDuties]: 403,
  [ErrorCode.FileRejected]: 415,
  [ErrorCode.OidcStateInvalid]: 400,
  [ErrorCode.OidcProviderError]: 400,
  [ErrorCode.OidcIdTokenInvalid]: 401,
  [ErrorCode.OidcAcrNotMet]: 403,
  [ErrorCode.OidcCodeInvalid]: 400,
  [ErrorCode.AuditCheckpointRejected]: 403,
  [ErrorCode.AuditWitnessConflict]: 409,
  [ErrorCode.ServiceUnavailable]: 503,
  [ErrorCode.Internal]: 500,
};

export const PROBLEM_BASE = 'https://onewindow.dev/problems/';

/** A built-in code or one a module declared (error-registry.ts). */
export type ErrorCodeName = ErrorCode | DeclaredErrorCode;

/** The HTTP status of a code: the built-in map, else the module's declaration, else 500. */
export function statusOf(code: ErrorCodeName): number {
  return ERROR_STATUS[code as ErrorCode] ?? errorRegistry.status(code) ?? 500;
}

export function problemType(code: ErrorCodeName): string {
  return PROBLEM_BASE + code.toLowerCase().replace(/_/g, '-');
}
