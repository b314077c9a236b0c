import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { PermissionName } from './permission';

export const ALLOW_KEY = 'onewindow:allow';
export const PUBLIC_KEY = 'onewindow:public';
/** OpenAPI operation extension listing the permissions @Allow names (machine-readable for integrators). */
export const ALLOW_PERMISSIONS_EXTENSION = 'x-permissions';
/** Marks public operations for the OpenAPI post-processor (removed from the published document). */
export const PUBLIC_EXTENSION = 'x-public';

/**
 * Grants the route or resolver to callers holding any of the permissions. Also documents the
 * bearer / API key security, the permissions and the 401/403 answers in OpenAPI.
 */
export const Allow = (...permissions: PermissionName[]) =>
  applyDecorators(
    SetMetadata(ALLOW_KEY, permissions),
    ApiBearerAuth('bearer'),
    ApiExtension(ALLOW_PERMISSIONS_EXTENSION, permissions),
    ApiUnauthorizedResponse({ description: 'Missing, invalid or expired credentials (problem+json)' }),
    ApiForbiddenResponse({ description: 'The caller lacks the permission (problem+json)' }),
  );

/** Open to anonymous callers; a presented token is still verified and used if valid. */
export const Public = () =>
  applyDecorators(SetMetadata(PUBLIC_KEY, true), ApiExtension(PUBLIC_EXTENSION, true));
