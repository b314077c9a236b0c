import { Args, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { AccountsService } from './accounts.service';
import { AccountArgs, AccountProfileDto } from './dto/accounts.dto';

@Resolver(() => AccountProfileDto)
export class AccountsResolver {
  constructor(private readonly accounts: AccountsService) {}

  @Allow(Permission.AccountRead)
  @Query(() => AccountProfileDto, {
    description:
      "A citizen's or business's account for staff, masked; unmask needs personal-data:unmask and a reason. Every read is audited.",
  })
  account(@Ctx() ctx: RequestContext, @Args() args: AccountArgs): Promise<AccountProfileDto> {
    return this.accounts.read(ctx, args.id, args);
  }
}
