import { Body, Controller, Get, Header, HttpCode, Post, Put } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import { IfMatch } from '../../../../api/http/if-match';
import type { RequestContext } from '../../../../api/context/request-context';
import { TokenPairDto } from '../auth/dto/auth.dto';
import { ChangePasswordDto, MeDto, UpdateProfileDto } from './dto/me.dto';
import { MeService } from './me.service';

@ApiTags('me')
@Controller({ path: 'me', version: '1' })
export class MeController {
  constructor(private readonly me: MeService) {}

  /** The signed-in account, personal data masked. */
  @Allow(Permission.SelfService)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: MeDto })
  get(@Ctx() ctx: RequestContext): Promise<MeDto> {
    return this.me.get(ctx);
  }

  /**
   * Updates display name, real name, national ID (GB 11643, one account per ID) or credit code.
   * Needs If-Match with the ETag of GET /v1/me (428 without, 412 when the profile changed since).
   */
  @Allow(Permission.SelfService)
  @Put('profile')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: MeDto })
  updateProfile(
    @Ctx() ctx: RequestContext,
    @IfMatch() version: number | undefined,
    @Body() dto: UpdateProfileDto,
  ): Promise<MeDto> {
    return this.me.updateProfile(ctx, dto, version);
  }

  /** Changes the password: every other session ends; a fresh token pair for this device is returned. */
  @Allow(Permission.SelfService, Permission.StaffSelf)
  @Post('password')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TokenPairDto })
  changePassword(@Ctx() ctx: RequestContext, @Body() dto: ChangePasswordDto): Promise<TokenPairDto> {
    return this.me.changePassword(ctx, dto);
  }
}
