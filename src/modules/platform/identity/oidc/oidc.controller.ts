import { Body, Controller, Get, Header, HttpCode, Post, Query, Redirect, Req, Res } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiFoundResponse,
  ApiOkResponse,
  ApiSeeOtherResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Public } from '../../../../api/auth/allow.decorator';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import {
  OidcAuthorizeQueryDto,
  OidcCallbackQueryDto,
  OidcExchangeDto,
  OidcJwksDto,
  OidcLoginDto,
} from './dto/oidc.dto';
import { OIDC_BINDING_COOKIE, OIDC_BINDING_COOKIE_PATH, OidcService } from './oidc.service';

/** Citizen sign-in through the national eID (OpenID Connect, authorization code + PKCE). 404 when OIDC is not configured. */
@ApiTags('auth')
@Controller({ path: 'auth/oidc', version: '1' })
export class OidcController {
  constructor(private readonly oidc: OidcService) {}

  /**
   * Starts a sign-in at the identity provider: redirects there with state, nonce and an S256 code
   * challenge (valid 10 minutes). With OIDC_FRONTEND_REDIRECT_URI it also sets the browser binding
   * cookie the code exchange needs.
   */
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
  async authorize(
    @Ctx() ctx: RequestContext,
    @Query() query: OidcAuthorizeQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<{ url: string; statusCode: number }> {
    const { url, statusCode, binding } = await this.oidc.authorize(ctx, query);
    if (binding)
      res.cookie(OIDC_BINDING_COOKIE, binding.value, {
        httpOnly: true,
        secure: binding.secure,
        sameSite: 'lax',
        path: OIDC_BINDING_COOKIE_PATH,
        maxAge: binding.maxAgeMs,
      });
    return { url, statusCode };
  }

  /**
   * The provider's redirect back: exchanges the code, links the external identity to an account
   * (by national ID, verified phone or verified e-mail) or creates a citizen account. Answers our
   * token pair; with OIDC_FRONTEND_REDIRECT_URI it instead redirects (303) there with a one-time
   * `code` for POST /exchange, or `error` (a problem code). The state works once.
   */
  @Public()
  @Get('callback')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: OidcLoginDto })
  @ApiSeeOtherResponse({
    description: 'Frontend redirect mode: to OIDC_FRONTEND_REDIRECT_URI with ?code= or ?error=',
    headers: {
      Location: {
        description: 'the frontend URL with a one-time code or an error code',
        schema: { type: 'string', format: 'uri', maxLength: 4096 },
      },
    },
  })
  @ApiServiceUnavailableResponse({ description: 'The identity provider cannot be reached' })
  async callback(
    @Ctx() ctx: RequestContext,
    @Query() query: OidcCallbackQueryDto,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OidcLoginDto | undefined> {
    const answer = await this.oidc.callback(ctx, query);
    if ('body' in answer) return answer.body;
    res.redirect(303, answer.redirect);
    return undefined;
  }

  /**
   * Frontend redirect mode: trades the callback's one-time code for our token pair, once, within
   * 60 seconds, from the browser that started the sign-in (its binding cookie, sent with
   * credentials). 400 OIDC_CODE_INVALID otherwise.
   */
  @Public()
  @Post('exchange')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: OidcLoginDto })
  @ApiBadRequestResponse({ description: 'Unknown, used or expired code, or another browser' })
  async exchange(
    @Ctx() ctx: RequestContext,
    @Body() dto: OidcExchangeDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<OidcLoginDto> {
    const pair = await this.oidc.exchangeCode(ctx, dto, cookie(req, OIDC_BINDING_COOKIE));
    res.clearCookie(OIDC_BINDING_COOKIE, { path: OIDC_BINDING_COOKIE_PATH });
    return pair;
  }

  /** Our public key for private_key_jwt client authentication, for the provider to fetch (404 with other methods). */
  @Public()
  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOkResponse({ type: OidcJwksDto })
  jwks(): OidcJwksDto {
    return this.oidc.jwks();
  }
}

/** One cookie's value from the Cookie header (no cookie parser is installed app-wide). */
function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
