import { Body, Controller, Get, Header, HttpCode, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { Idempotent } from '../../../../api/http/idempotency';
import { UuidParam } from '../../../../api/http/uuid-param';
import { BusinessRepresentativeDto, CreateRepresentativeDto } from './dto/representatives.dto';
import { RepresentativesService } from './representatives.service';

@ApiTags('me')
@Controller({ path: 'me', version: '1' })
export class RepresentativesController {
  constructor(private readonly representatives: RepresentativesService) {}

  /** Business accounts: the people authorised to act for the business, newest first, ended ones included. */
  @Allow(Permission.SelfService)
  @Get('representatives')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: [BusinessRepresentativeDto] })
  list(@Ctx() ctx: RequestContext): Promise<BusinessRepresentativeDto[]> {
    return this.representatives.listForBusiness(ctx);
  }

  /**
   * Business accounts (with their credit code on file): authorises the citizen whose account has this
   * phone number or e-mail to act for the business, in a scope, for at most a year. 404 when no
   * active citizen account has it; 409 when that person is already authorised.
   */
  @Allow(Permission.SelfService)
  @Post('representatives')
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: BusinessRepresentativeDto })
  grant(
    @Ctx() ctx: RequestContext,
    @Body() dto: CreateRepresentativeDto,
  ): Promise<BusinessRepresentativeDto> {
    return this.representatives.grant(ctx, dto);
  }

  /** Business accounts: ends an authorisation at once. */
  @Allow(Permission.SelfService)
  @Post('representatives/:id/revoke')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: BusinessRepresentativeDto })
  revoke(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<BusinessRepresentativeDto> {
    return this.representatives.revoke(ctx, id);
  }

  /** The businesses I am authorised to act for, now or from a later date (not revoked, not expired). */
  @Allow(Permission.SelfService)
  @Get('businesses')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: [BusinessRepresentativeDto] })
  businesses(@Ctx() ctx: RequestContext): Promise<BusinessRepresentativeDto[]> {
    return this.representatives.listForRepresentative(ctx);
  }
}
