import { Args, ID, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { AccountsService } from './accounts.service';
import { AccountArgs, AccountProfileDto } from './dto/accounts.dto';
import { IdentityVerificationDto, IdentityVerificationResultDto } from './dto/identity-verification.dto';
import { IdentityVerificationService } from './identity-verification.service';

@Resolver(() => AccountProfileDto)
export class AccountsResolver {
  constructor(
    private readonly accounts: AccountsService,
    private readonly verification: IdentityVerificationService,
  ) {}

  @Allow(Permission.AccountRead)
  @Query(() => AccountProfileDto, {
    description:
      "A citizen's or business's account for staff, masked; unmask needs personal-data:unmask and a reason. Every read is audited.",
  })
  account(@Ctx() ctx: RequestContext, @Args() args: AccountArgs): Promise<AccountProfileDto> {
    return this.accounts.read(ctx, args.id, args);
  }

  @Allow(Permission.CaseHandle)
  @Mutation(() => IdentityVerificationResultDto, {
    description:
      "Identity verification at a counter (REST: POST /v1/accounts/{id}/identity-verification): the card's name and number make the citizen's account real_name. Audited.",
  })
  verifyAccountIdentity(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: IdentityVerificationDto,
  ): Promise<IdentityVerificationResultDto> {
    return this.verification.verify(ctx, id, input);
  }
}
