import { ResolveField, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { MeDto } from '../me/dto/me.dto';
import { ChannelsService } from './channels.service';
import { ChannelIdentityDto } from './dto/channels.dto';

/** `me { channels { … } }`: the caller's linked mini-program identities. */
@Resolver(() => MeDto)
export class MeChannelsResolver {
  constructor(private readonly service: ChannelsService) {}

  @Allow(Permission.SelfService)
  @ResolveField(() => [ChannelIdentityDto], {
    description: 'Mini-program identities linked to this account (openids masked).',
  })
  channels(@Ctx() ctx: RequestContext): Promise<ChannelIdentityDto[]> {
    return this.service.list(ctx);
  }
}
