import { ParseUUIDPipe } from '@nestjs/common';
import { Args, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import {
  WorkflowDefinitionDto,
  WorkflowDefinitionInputDto,
  WorkflowDefinitionsArgs,
} from './dto/workflow-definition.dto';
import { WORKFLOW_CURSOR, WorkflowDefinitionsService } from './workflow-definitions.service';

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
  @Query(() => WorkflowDefinitionDto, { description: 'One workflow version (REST: GET /v1/workflows/{id}).' })
  workflowDefinition(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.get(ctx, id);
  }

  @Allow(Permission.WorkflowManage)
  @Mutation(() => WorkflowDefinitionDto, {
    description:
      'A new draft version of the service workflow. A retry with the same idempotencyKey returns the first answer.',
  })
  createWorkflowDefinition(
    @Ctx() ctx: RequestContext,
    @Args('serviceId', { type: () => ID }, ParseUUIDPipe) serviceId: string,
    @Args('input') input: WorkflowDefinitionInputDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) idempotencyKey?: string,
  ): Promise<WorkflowDefinitionDto> {
    return this.definitions.createOnce(ctx, serviceId, input, idempotencyKey);
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
