import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { OptionalIfMatch } from '../../../api/http/if-match';
import { Page } from '../../../api/http/pagination';
import { Idempotent } from '../../../api/http/idempotency';
import { UuidParam } from '../../../api/http/uuid-param';
import { CasesService } from './cases.service';
import { CaseActionDto, CaseDetailDto, CaseDto, CasePageDto, CaseQueryDto } from './dto/case.dto';

const CASE_STAFF = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseSupervise,
];

/** Staff work on cases (办件): lists scoped to the caller's units, one case in full, actions. */
@ApiTags('cases')
@Controller({ path: 'cases', version: '1' })
export class CasesController {
  constructor(private readonly cases: CasesService) {}

  /** Cases of the caller's units, soonest due first (stopped clocks last). */
  @Allow(...CASE_STAFF)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: CasePageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: CaseQueryDto): Promise<Page<CaseDto>> {
    return this.cases.list(ctx, query);
  }

  /** One case: stage, clock, pauses, extensions, tasks, history and the caller's available actions. */
  @Allow(...CASE_STAFF)
  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: CaseDetailDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<CaseDetailDto> {
    return this.cases.get(ctx, id);
  }

  /** Applies a workflow action (accept, approve, decide, ...); the body depends on the action's effect. */
  @Allow(...CASE_STAFF)
  @Post(':id/actions/:action')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'the ETag ("v<version>") the caller last saw',
  })
  @ApiParam({
    name: 'action',
    description: "an action key of the case's stage, e.g. accept, approve, decide",
    schema: { type: 'string', maxLength: 64, pattern: '^[a-z][a-z0-9_]{0,63}$' },
  })
  @ApiOkResponse({ type: CaseDetailDto })
  act(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Param('action') action: string,
    @OptionalIfMatch() version: number | undefined,
    @Body() dto: CaseActionDto,
  ): Promise<CaseDetailDto> {
    return this.cases.act(ctx, id, action, dto, version);
  }
}
