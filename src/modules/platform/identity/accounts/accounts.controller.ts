import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { UuidParam } from '../../../../api/http/uuid-param';
import { AccountsService } from './accounts.service';
import { AccountLookupDto, AccountProfileDto, AccountReadQueryDto } from './dto/accounts.dto';
import { IdentityVerificationDto, IdentityVerificationResultDto } from './dto/identity-verification.dto';
import { IdentityVerificationService } from './identity-verification.service';

@ApiTags('accounts')
@Controller({ path: 'accounts', version: '1' })
export class AccountsController {
  constructor(
    private readonly accounts: AccountsService,
    private readonly verification: IdentityVerificationService,
  ) {}

  /**
   * Finds a citizen's or business's account by national ID number (sent in the body: ID numbers
   * never go into URLs). Needs a reason; the lookup is recorded and shown to the citizen.
   */
  @Allow(Permission.AccountRead)
  @Post('lookup')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: AccountProfileDto })
  lookup(@Ctx() ctx: RequestContext, @Body() dto: AccountLookupDto): Promise<AccountProfileDto> {
    return this.accounts.lookup(ctx, dto);
  }

  /**
   * Identity verification at a counter: the clerk (case:handle) has seen the person's identity card
   * and records its name and number; the account becomes `real_name` (verified by `counter`).
   * 404 for anything but an active citizen account; 409 when the number belongs to another account.
   * Audited, with the person as subject.
   */
  @Allow(Permission.CaseHandle)
  @Post(':id/identity-verification')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: IdentityVerificationResultDto })
  verifyIdentity(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: IdentityVerificationDto,
  ): Promise<IdentityVerificationResultDto> {
    return this.verification.verify(ctx, id, dto);
  }

  /**
   * A citizen's or business's account, personal data masked. `unmask=nationalId` (and realName,
   * phone, email) shows fields in clear: it needs personal-data:unmask and a reason. Every read is
   * recorded with its reason and shown to the citizen. Only accounts within the caller's scope are
   * found (today: callers holding account:read everywhere); others answer 404.
   */
  @Allow(Permission.AccountRead)
  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: AccountProfileDto })
  read(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Query() query: AccountReadQueryDto,
  ): Promise<AccountProfileDto> {
    return this.accounts.read(ctx, id, query);
  }
}
