import { Body, Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, Public } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { Idempotent } from '../../../../api/http/idempotency';
import { UuidParam } from '../../../../api/http/uuid-param';
import { TokenPairDto } from '../auth/dto/auth.dto';
import { ChannelsService } from './channels.service';
import { ChannelCodeDto, ChannelIdentityDto } from './dto/channels.dto';

@ApiTags('me')
@Controller({ path: 'me/channels', version: '1' })
export class MeChannelsController {
  constructor(private readonly channels: ChannelsService) {}

  /** Mini-program identities linked to my account (openids masked). */
  @Allow(Permission.SelfService)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: [ChannelIdentityDto] })
  list(@Ctx() ctx: RequestContext): Promise<ChannelIdentityDto[]> {
    return this.channels.list(ctx);
  }

  /**
   * Links the mini-program user behind a fresh login code (wx.login) to my account, so that
   * /v1/auth/channel-login signs me in from that mini-program. 409 when that user is linked to
   * another account; linking the same user again answers the existing link. Send an
   * Idempotency-Key: the platform accepts a code once, so only a replay can answer a retry.
   */
  @Allow(Permission.SelfService)
  @Post()
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ChannelIdentityDto })
  bind(@Ctx() ctx: RequestContext, @Body() dto: ChannelCodeDto): Promise<ChannelIdentityDto> {
    return this.channels.bind(ctx, dto);
  }

  /** Unlinks one of my mini-program identities. */
  @Allow(Permission.SelfService)
  @Post(':id/unbind')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'Unlinked; the stored openid is deleted.' })
  unbind(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<void> {
    return this.channels.unbind(ctx, id);
  }
}

@ApiTags('auth')
@Controller({ path: 'auth', version: '1' })
export class ChannelLoginController {
  constructor(private readonly channels: ChannelsService) {}

  /**
   * Signs in from a mini-program with its fresh login code: a token pair when the mini-program user
   * is linked to an account, 401 otherwise (the same answer for an unknown code).
   */
  @Public()
  @Post('channel-login')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TokenPairDto })
  login(@Ctx() ctx: RequestContext, @Body() dto: ChannelCodeDto): Promise<TokenPairDto> {
    return this.channels.login(ctx, dto);
  }
}
