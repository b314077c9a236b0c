import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope';

/** An RFC 6749 §5.2 error answer of the token endpoint. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = error === 'invalid_client' ? 401 : 400,
    readonly headers: Record<string, string> = {},
  ) {
    super(error);
  }
}

interface JsonResponse {
  status(code: number): JsonResponse;
  setHeader(name: string, value: string): void;
  json(body: unknown): void;
}

/**
 * The one exception to problem+json in this API: OAuth client libraries parse token-endpoint
 * errors as RFC 6749 §5.2 JSON (`error`, `error_description`), so POST /v1/oauth/token answers in
 * that shape. Errors never carry the presented secret.
 */
@Catch(OAuthError)
export class OAuthErrorFilter implements ExceptionFilter {
  catch(e: OAuthError, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<JsonResponse>();
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    for (const [k, v] of Object.entries(e.headers)) res.setHeader(k, v);
    res.status(e.status).json({ error: e.error, error_description: e.description });
  }
}
