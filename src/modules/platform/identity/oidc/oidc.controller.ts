import { Controller, Get, Header, Query, Redirect } from '@nestjs/common';
import { ApiFoundResponse, ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../../api/auth/allow.decorator';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { OidcAuthorizeQueryDto, OidcCallbackQueryDto, OidcLoginDto } from './dto/oidc.dto';
import { OidcService } from './oidc.service';

/** Citizen sign-in through the national eID (OpenID Connect, authorization code + PKCE). 404 when OIDC is not configured. */
@ApiTags('auth')
@Controller({ path: 'auth/oidc', version: '1' })
export class OidcController {
  constructor(private readonly oidc: OidcService) {}

  /** Starts a sign-in at the identity provider: redirects there with state, nonce and an S256 code challenge (valid 10 minutes). */
  @Public()
  @Get('authorize')
  @Redirect()
  @Header('Cache-Control', 'no-store')
  @ApiFoundResponse({
    description: 'Redirect to the identity provider',
    headers: {
      Location: {
        description: 'the provider authorization URL',
        schema: { type: 'string', format: 'uri', maxLength: 4096 },
      },
    },
  })
  @ApiServiceUnavailableResponse({ description: 'The identity provider cannot be reached' })
  authorize(
    @Ctx() ctx: RequestContext,
    @Query() query: OidcAuthorizeQueryDto,
  ): Promise<{ url: string; statusCode: number }> {
    return this.oidc.authorize(ctx, query);
  }

  /**
   * The provider's redirect back: exchanges the code, links the external identity to an account
   * (by national ID, verified phone or verified e-mail) or creates a citizen account, and answers
   * our token pair. The state works once.
   */
  @Public()
  @Get('callback')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: OidcLoginDto })
  @ApiServiceUnavailableResponse({ description: 'The identity provider cannot be reached' })
  callback(@Ctx() ctx: RequestContext, @Query() query: OidcCallbackQueryDto): Promise<OidcLoginDto> {
    return this.oidc.callback(ctx, query);
  }
}
