import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { UuidParam } from '../../../../api/http/uuid-param';
import { AccountsService } from './accounts.service';
import { AccountLookupDto, AccountProfileDto, AccountReadQueryDto } from './dto/accounts.dto';

@ApiTags('accounts')
@Controller({ path: 'accounts', version: '1' })
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

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
