import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { DataAccessService } from './data-access.service';
import { DataAccessPageDto, DataAccessQueryDto } from './dto/data-access.dto';

@ApiTags('me')
@Controller({ path: 'me/data-access', version: '1' })
export class MeDataAccessController {
  constructor(private readonly dataAccess: DataAccessService) {}

  /** Who accessed my personal data, when and why: agencies' staff and other systems, newest first. */
  @Allow(Permission.SelfService)
  @Get()
  @ApiOkResponse({ type: DataAccessPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: DataAccessQueryDto): Promise<DataAccessPageDto> {
    return this.dataAccess.list(ctx, query);
  }
}
