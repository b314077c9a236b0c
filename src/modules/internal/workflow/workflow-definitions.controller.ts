import { Body, Controller, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Idempotent } from '../../../api/http/idempotency';
import { IfMatch, OptionalIfMatch } from '../../../api/http/if-match';
import { Page, PageQuery } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import {
  WorkflowDefinitionDto,
  WorkflowDefinitionInputDto,
  WorkflowDefinitionPageDto,
} from './dto/workflow-definition.dto';
import { WorkflowDefinitionsService } from './workflow-definitions.service';

/** Versions of a service's workflow, in units within the caller's workflow:manage scope (else 404). */
@ApiTags('workflows')
@Controller({ path: 'services/:serviceId/workflows', version: '1' })
export class ServiceWorkflowsController {
  constructor(private readonly definitions: WorkflowDefinitionsService) {}

  /** A new draft version (number = highest + 1); the spec is validated, errors point into it. */
  @Allow(Permission.WorkflowManage)
  @Post()
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: WorkflowDefinitionDto })
  create(
    @Ctx() ctx: RequestContext,
    @Param('serviceId', UuidParam) serviceId: string,
    @Body() dto: WorkflowDefinitionInputDto,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.create(ctx, serviceId, dto);
  }

  /** Every version of the service's workflow, newest first. */
  @Allow(Permission.WorkflowManage)
  @Get()
  @ApiOkResponse({ type: WorkflowDefinitionPageDto })
  list(
    @Ctx() ctx: RequestContext,
    @Param('serviceId', UuidParam) serviceId: string,
    @Query() query: PageQuery,
  ): Promise<Page<WorkflowDefinitionDto>> {
    return this.definitions.list(ctx, serviceId, query);
  }
}

@ApiTags('workflows')
@Controller({ path: 'workflows', version: '1' })
export class WorkflowDefinitionsController {
  constructor(private readonly definitions: WorkflowDefinitionsService) {}

  /** One version; also readable by the staff who handle the service's cases. */
  @Allow(Permission.WorkflowManage, Permission.CaseHandle, Permission.CaseReview, Permission.CaseApprove)
  @Get(':id')
  @ApiOkResponse({ type: WorkflowDefinitionDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<WorkflowDefinitionDto> {
    return this.definitions.get(ctx, id);
  }

  /** Replaces a draft's spec (If-Match required); active and retired versions are 409. */
  @Allow(Permission.WorkflowManage)
  @Put(':id')
  @ApiOkResponse({ type: WorkflowDefinitionDto })
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @IfMatch() version: number,
    @Body() dto: WorkflowDefinitionInputDto,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.update(ctx, id, version, dto);
  }

  /** Draft → active; the previously active version is retired (its running cases keep it). */
  @Allow(Permission.WorkflowManage)
  @Post(':id/activate')
  @HttpCode(200)
  @ApiHeader({ name: 'If-Match', required: false, description: 'the ETag ("v<version>") last seen' })
  @ApiOkResponse({ type: WorkflowDefinitionDto })
  activate(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() version?: number,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.activate(ctx, id, version);
  }
}
