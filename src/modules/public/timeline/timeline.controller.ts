import { Controller, Get, Header, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Page, PageQuery } from '../../../api/http/pagination';
import { TimelineItemDto, TimelinePageDto } from './dto/timeline.dto';
import { TimelineService } from './timeline.service';

@ApiTags('me')
@Controller({ path: 'me', version: '1' })
export class TimelineController {
  constructor(private readonly timeline: TimelineService) {}

  /** My government: all my applications (and later questions, complaints, ratings), latest change first. */
  @Allow(Permission.SelfService)
  @Get('timeline')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: TimelinePageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: PageQuery): Promise<Page<TimelineItemDto>> {
    return this.timeline.list(ctx, query);
  }
}
