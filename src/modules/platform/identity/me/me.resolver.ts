import { Args, Mutation, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { TokenPairDto } from '../auth/dto/auth.dto';
import { ChangePasswordDto, MeDto, UpdateProfileDto } from './dto/me.dto';
import { MeService } from './me.service';

@Resolver(() => MeDto)
export class MeResolver {
  constructor(private readonly service: MeService) {}

  @Allow(Permission.SelfService)
  @Query(() => MeDto, { description: 'The signed-in citizen or business account, personal data masked.' })
  me(@Ctx() ctx: RequestContext): Promise<MeDto> {
    return this.service.get(ctx);
  }

  @Allow(Permission.SelfService)
  @Mutation(() => MeDto, {
    description:
      'Updates display name, real name, national ID (GB 11643, one account per ID) or credit code.',
  })
  updateProfile(@Ctx() ctx: RequestContext, @Args('input') input: UpdateProfileDto): Promise<MeDto> {
    return this.service.updateProfile(ctx, input);
  }

  @Allow(Permission.SelfService, Permission.StaffSelf)
  @Mutation(() => TokenPairDto, {
    description:
      'Changes the password: every other session ends; a fresh token pair for this device is returned.',
  })
  changePassword(@Ctx() ctx: RequestContext, @Args('input') input: ChangePasswordDto): Promise<TokenPairDto> {
    return this.service.changePassword(ctx, input);
  }
}
