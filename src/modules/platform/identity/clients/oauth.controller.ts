import {
  Body,
  Controller,
  createParamDecorator,
  ExecutionContext,
  Header,
  Headers,
  HttpCode,
  Post,
  UseFilters,
} from '@nestjs/common';
import type { Request } from 'express';
import {
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { Public } from '../../../../api/auth/allow.decorator';
import { ClientsService } from './clients.service';
import { OAuthErrorDto, TokenRequestDto, TokenResponseDto } from './dto/clients.dto';
import { OAuthErrorFilter } from './oauth-error';

/**
 * The thumbprint the TLS-terminating proxy forwards. Read outside swagger's view: it is not a parameter
 * a client sends (the proxy strips a caller's own), so the document must not ask for it.
 */
export const ProxyCertThumbprint = createParamDecorator((_: unknown, context: ExecutionContext) =>
  context.switchToHttp().getRequest<Request>().header('x-client-cert-thumbprint'),
);

@ApiTags('oauth')
@Controller({ path: 'oauth', version: '1' })
@UseFilters(OAuthErrorFilter)
export class OAuthController {
  constructor(private readonly clients: ClientsService) {}

  /**
   * OAuth 2.0 token endpoint for agency systems (client credentials, RFC 6749 §4.4). Authenticate
   * with HTTP Basic (client_id:client_secret) or client_id and client_secret in the body. A client
   * bound to a certificate must come through the TLS-terminating proxy, which forwards the SHA-256
   * thumbprint of the verified client certificate as X-Client-Cert-Thumbprint (and strips any such
   * header a caller sent). Errors here are RFC 6749 §5.2 JSON, not problem+json: OAuth client
   * libraries expect that shape from a token endpoint.
   */
  @Public()
  @Post('token')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Header('Pragma', 'no-cache')
  @ApiConsumes('application/x-www-form-urlencoded', 'application/json')
  @ApiBody({ type: TokenRequestDto })
  @ApiOkResponse({ type: TokenResponseDto })
  @ApiBadRequestResponse({
    type: OAuthErrorDto,
    description: 'invalid_request, unsupported_grant_type or invalid_scope (RFC 6749 §5.2)',
  })
  @ApiUnauthorizedResponse({ type: OAuthErrorDto, description: 'invalid_client (RFC 6749 §5.2)' })
  token(
    // Not a DTO: the endpoint must ignore unknown parameters (§3.2) and answer in OAuth's error shape.
    @Body() body: Record<string, unknown>,
    @Headers('authorization') authorization?: string,
    @ProxyCertThumbprint() certThumbprint?: string,
  ): Promise<TokenResponseDto> {
    return this.clients.issueToken({ body, authorization, certThumbprint });
  }
}
