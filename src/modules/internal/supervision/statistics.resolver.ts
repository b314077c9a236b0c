import { Args, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { CaseStatisticsDto, CaseStatisticsQueryDto } from './dto/statistics.dto';
import { StatisticsService } from './statistics.service';

@Resolver(() => CaseStatisticsDto)
export class StatisticsResolver {
  constructor(private readonly statistics: StatisticsService) {}

  @Allow(Permission.CaseSupervise)
  @Query(() => CaseStatisticsDto, {
    description:
      'Case figures per unit and/or service for [from, to), within the caller’s supervision scope.',
  })
  caseStatistics(
    @Ctx() ctx: RequestContext,
    @Args() args: CaseStatisticsQueryDto,
  ): Promise<CaseStatisticsDto> {
    return this.statistics.cases(ctx, args);
  }
}
