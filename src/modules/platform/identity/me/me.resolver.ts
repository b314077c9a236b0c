import { Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { MeDto } from './dto/me.dto';
import { MeService } from './me.service';

@Resolver(() => MeDto)
export class MeResolver {
  constructor(private readonly service: MeService) {}

  @Allow(Permission.SelfService)
  @Query(() => MeDto, { description: 'The signed-in citizen or business account, personal data masked.' })
  me(@Ctx() ctx: RequestContext): Promise<MeDto> {
    return this.service.get(ctx);
  }
}
