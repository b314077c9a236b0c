import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { Permission } from './permission';

export const ALLOW_KEY = 'onewindow:allow';
export const PUBLIC_KEY = 'onewindow:public';

/**
 * Grants the route or resolver to callers holding any of the permissions. Also documents the
 * bearer / API key security and the 401/403 answers in OpenAPI.
 */
export const Allow = (...permissions: Permission[]) =>
  applyDecorators(
    SetMetadata(ALLOW_KEY, permissions),
    ApiBearerAuth('bearer'),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired credentials (problem+json)' }),
    ApiForbiddenResponse({ description: 'The caller lacks the permission (problem+json)' }),
  );

/** Open to anonymous callers; a presented token is still verified and used if valid. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);
