import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import { RequestContext } from '../../../api/context/request-context';
import { JobQueryDto, JobPageDto } from './jobs.dto';
import { JobsService } from './jobs.service';

@ApiTags('platform')
@Controller({ path: 'admin/jobs', version: '1' })
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  /** Background jobs, newest first: state, attempts, next run and last error (payloads are not shown). */
  @Allow(Permission.JobsAdmin)
  @Get()
  @ApiOkResponse({ type: JobPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: JobQueryDto): Promise<JobPageDto> {
    return this.jobs.list(ctx, query);
  }
}
