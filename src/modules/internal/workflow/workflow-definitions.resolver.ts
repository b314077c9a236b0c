import { ParseUUIDPipe } from '@nestjs/common';
import { Args, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { IdempotentMutation } from '../../../api/graphql/idempotent-mutation';
import {
  WorkflowDefinitionDto,
  WorkflowDefinitionInputDto,
  WorkflowDefinitionsArgs,
} from './dto/workflow-definition.dto';
import { WORKFLOW_CURSOR, WorkflowDefinitionsService } from './workflow-definitions.service';
import { CaseTypeDto, CaseTypeWorkflowsArgs } from './dto/case-type.dto';
import { CASE_TYPE_RE, SUBJECT_KEY_RE } from './dto/case.dto';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';

@ObjectType()
export class WorkflowDefinitionConnection extends Connection(WorkflowDefinitionDto, 'WorkflowDefinition') {}

/** GraphQL twins of the workflow definition routes; `expectedVersion` plays If-Match. */
@Resolver(() => WorkflowDefinitionDto)
export class WorkflowDefinitionsResolver {
  constructor(private readonly definitions: WorkflowDefinitionsService) {}

  @Allow(Permission.WorkflowManage)
  @Query(() => WorkflowDefinitionConnection, {
    description: "Versions of a service's workflow, newest first (REST: GET /v1/services/{id}/workflows).",
  })
  async workflowDefinitions(
    @Ctx() ctx: RequestContext,
    @Args() args: WorkflowDefinitionsArgs,
  ): Promise<ConnectionShape<WorkflowDefinitionDto>> {
    const page = await this.definitions.list(ctx, args.serviceId, {
      limit: args.first,
      cursor: args.after ?? undefined,
    });
    return toConnection(page.items, {
      cursorOf: (w) => WORKFLOW_CURSOR.encode([w.number, w.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.WorkflowManage, Permission.CaseHandle, Permission.CaseReview, Permission.CaseApprove)
  @Query(() => [CaseTypeDto], {
    description: 'The case types modules registered (REST: GET /v1/case-types).',
  })
  caseTypes(): CaseTypeDto[] {
    return this.definitions.listCaseTypes();
  }

  @Allow(Permission.WorkflowManage)
  @Query(() => WorkflowDefinitionConnection, {
    description:
      "Versions of a subject's workflow for any case type, newest first (REST: GET /v1/case-types/{type}/subjects/{key}/workflows).",
  })
  async caseTypeWorkflowDefinitions(
    @Ctx() ctx: RequestContext,
    @Args() args: CaseTypeWorkflowsArgs,
  ): Promise<ConnectionShape<WorkflowDefinitionDto>> {
    const page = await this.definitions.listFor(ctx, args.caseType, args.subjectKey, {
      limit: args.first,
      cursor: args.after ?? undefined,
    });
    return toConnection(page.items, {
      cursorOf: (w) => WORKFLOW_CURSOR.encode([w.number, w.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.WorkflowManage)
  @IdempotentMutation<{ input: WorkflowDefinitionInputDto }>({
    twin: 'POST /v1/case-types/:caseType/subjects/:subjectKey/workflows',
    status: 201,
    body: (args) => args.input,
  })
  @Mutation(() => WorkflowDefinitionDto, {
    description:
      "A new draft version of a subject's workflow for any case type. A retry with the same idempotencyKey returns the first answer.",
  })
  createCaseTypeWorkflowDefinition(
    @Ctx() ctx: RequestContext,
    @Args('caseType') caseType: string,
    @Args('subjectKey') subjectKey: string,
    @Args('input') input: WorkflowDefinitionInputDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<WorkflowDefinitionDto> {
    const errors = [
      ...(CASE_TYPE_RE.test(caseType)
        ? []
        : [{ pointer: '/caseType', code: 'matches', message: 'not a case type key' }]),
      ...(SUBJECT_KEY_RE.test(subjectKey)
        ? []
        : [{ pointer: '/subjectKey', code: 'matches', message: 'not a subject key' }]),
    ];
    if (errors.length) throw new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);
    return this.definitions.createFor(ctx, caseType, subjectKey, input);
  }

  @Allow(Permission.WorkflowManage, Permission.CaseHandle, Permission.CaseReview, Permission.CaseApprove)
  @Query(() => WorkflowDefinitionDto, { description: 'One workflow version (REST: GET /v1/workflows/{id}).' })
  workflowDefinition(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.get(ctx, id);
  }

  @Allow(Permission.WorkflowManage)
  @IdempotentMutation<{ input: WorkflowDefinitionInputDto }>({
    twin: 'POST /v1/services/:serviceId/workflows',
    status: 201,
    body: (args) => args.input,
  })
  @Mutation(() => WorkflowDefinitionDto, {
    description:
      'A new draft version of the service workflow. A retry with the same idempotencyKey returns the first answer.',
  })
  createWorkflowDefinition(
    @Ctx() ctx: RequestContext,
    @Args('serviceId', { type: () => ID }, ParseUUIDPipe) serviceId: string,
    @Args('input') input: WorkflowDefinitionInputDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.create(ctx, serviceId, input);
  }

  @Allow(Permission.WorkflowManage)
  @Mutation(() => WorkflowDefinitionDto, { description: "Replaces a draft's spec." })
  updateWorkflowDefinition(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
    @Args('expectedVersion', { type: () => Int }) expectedVersion: number,
    @Args('input') input: WorkflowDefinitionInputDto,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.update(ctx, id, expectedVersion, input);
  }

  @Allow(Permission.WorkflowManage)
  @Mutation(() => WorkflowDefinitionDto, {
    description: 'Draft → active; the previous active version retires.',
  })
  activateWorkflowDefinition(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
    @Args('expectedVersion', { type: () => Int, nullable: true }) expectedVersion?: number,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.activate(ctx, id, expectedVersion ?? undefined);
  }
}
