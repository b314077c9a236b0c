import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { CaseStatisticsDto, CaseStatisticsQueryDto } from './dto/statistics.dto';
import { StatisticsService } from './statistics.service';

@ApiTags('statistics')
@Controller({ path: 'statistics', version: '1' })
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  /**
   * Case figures per unit and/or service for a period of Beijing days [from, to), within the
   * caller's case:supervise scope (the unit and below); an organisationId outside it is 404.
   */
  @Allow(Permission.CaseSupervise)
  @Get('cases')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: CaseStatisticsDto })
  cases(@Ctx() ctx: RequestContext, @Query() q: CaseStatisticsQueryDto): Promise<CaseStatisticsDto> {
    return this.statistics.cases(ctx, q);
  }
}
