import { Body, Controller, Get, Header, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Idempotent } from '../../../api/http/idempotency';
import { Page, PageQuery } from '../../../api/http/pagination';
import { CaseTypeListDto, CaseTypeParamsDto } from './dto/case-type.dto';
import {
  WorkflowDefinitionDto,
  WorkflowDefinitionInputDto,
  WorkflowDefinitionPageDto,
} from './dto/workflow-definition.dto';
import { WorkflowDefinitionsService } from './workflow-definitions.service';

/**
 * The case types modules registered, and the workflow versions of any subject of any of them (the
 * catalogue's /v1/services/{id}/workflows is the same thing for case type `service`). Subjects
 * outside the caller's workflow:manage scope, unknown subjects and unknown case types are 404.
 */
@ApiTags('workflows')
@Controller({ path: 'case-types', version: '1' })
export class CaseTypesController {
  constructor(private readonly definitions: WorkflowDefinitionsService) {}

  /** Every registered case type (staff who author workflows or work cases). */
  @Allow(Permission.WorkflowManage, Permission.CaseHandle, Permission.CaseReview, Permission.CaseApprove)
  @Get()
  @ApiOkResponse({ type: CaseTypeListDto })
  list(): CaseTypeListDto {
    return { items: this.definitions.listCaseTypes() };
  }

  /** A new draft version for the subject (number = highest + 1); the spec is validated, errors point into it. */
  @Allow(Permission.WorkflowManage)
  @Post(':type/subjects/:key/workflows')
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: WorkflowDefinitionDto })
  create(
    @Ctx() ctx: RequestContext,
    @Param() params: CaseTypeParamsDto,
    @Body() dto: WorkflowDefinitionInputDto,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.createFor(ctx, params.type, params.key, dto);
  }

  /** Every version of the subject's workflow, newest first. */
  @Allow(Permission.WorkflowManage)
  @Get(':type/subjects/:key/workflows')
  @ApiOkResponse({ type: WorkflowDefinitionPageDto })
  listWorkflows(
    @Ctx() ctx: RequestContext,
    @Param() params: CaseTypeParamsDto,
    @Query() query: PageQuery,
  ): Promise<Page<WorkflowDefinitionDto>> {
    return this.definitions.listFor(ctx, params.type, params.key, query);
  }
}
