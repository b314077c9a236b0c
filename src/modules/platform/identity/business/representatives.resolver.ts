import { ResolveField, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { MeDto } from '../me/dto/me.dto';
import { BusinessRepresentativeDto } from './dto/representatives.dto';
import { RepresentativesService } from './representatives.service';

/** `me { representatives { … } businesses { … } }`: both sides of 授权经办人 for the caller. */
@Resolver(() => MeDto)
export class MeRepresentativesResolver {
  constructor(private readonly service: RepresentativesService) {}

  @Allow(Permission.SelfService)
  @ResolveField(() => [BusinessRepresentativeDto], {
    description: 'Business accounts: the people authorised to act for it (empty for citizens).',
  })
  representatives(@Ctx() ctx: RequestContext): Promise<BusinessRepresentativeDto[]> {
    return this.service.listForBusiness(ctx);
  }

  @Allow(Permission.SelfService)
  @ResolveField(() => [BusinessRepresentativeDto], {
    description: 'The businesses this account may act for, now or later.',
  })
  businesses(@Ctx() ctx: RequestContext): Promise<BusinessRepresentativeDto[]> {
    return this.service.listForRepresentative(ctx);
  }
}
