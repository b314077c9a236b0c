import { ParseUUIDPipe } from '@nestjs/common';
import { Args, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape } from '../../../api/graphql/connection';
import { IdempotentMutation } from '../../../api/graphql/idempotent-mutation';
import { AddCaseNoteInput, CaseNoteDto, CaseNotesArgs } from './dto/note.dto';
import { DelegateTaskInput, TaskDto, TasksArgs, TransferTaskInput } from './dto/task.dto';
import { NotesService } from './notes.service';
import { QUEUE_PERMISSIONS, TASK_PERMISSIONS } from './task-query';
import { TasksService } from './tasks.service';

@ObjectType()
export class TaskConnection extends Connection(TaskDto, 'Task') {}

@ObjectType()
export class CaseNoteConnection extends Connection(CaseNoteDto, 'CaseNote') {}

const VERSION = { type: () => Int, nullable: true, description: 'the version last seen (plays If-Match)' };

/** GraphQL twins of the work queue (REST: /v1/tasks) and case notes (REST: /v1/cases/{id}/notes). */
@Resolver(() => TaskDto)
export class TasksResolver {
  constructor(
    private readonly queue: TasksService,
    private readonly notes: NotesService,
  ) {}

  @Allow(...QUEUE_PERMISSIONS)
  @Query(() => TaskConnection, { description: 'My work queue, filtered and sorted (REST: GET /v1/tasks).' })
  tasks(@Ctx() ctx: RequestContext, @Args() args: TasksArgs): Promise<ConnectionShape<TaskDto>> {
    const { first, after, ...filters } = args;
    return this.queue.connection(ctx, filters, { limit: first, cursor: after ?? undefined });
  }

  @Allow(...QUEUE_PERMISSIONS)
  @Query(() => TaskDto, { description: 'One task within my queue scope.' })
  task(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
  ): Promise<TaskDto> {
    return this.queue.get(ctx, id);
  }

  @Allow(...TASK_PERMISSIONS)
  @IdempotentMutation({ twin: 'POST /v1/tasks/:id/claim', status: 200 })
  @Mutation(() => TaskDto, {
    description:
      '认领: take an unassigned task. A retry with the same idempotencyKey returns the first answer.',
  })
  claimTask(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
    @Args('expectedVersion', VERSION) version?: number,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<TaskDto> {
    return this.queue.claim(ctx, id, version ?? undefined);
  }

  @Allow(...TASK_PERMISSIONS, Permission.CaseAssign)
  @IdempotentMutation({ twin: 'POST /v1/tasks/:id/release', status: 200 })
  @Mutation(() => TaskDto, {
    description:
      'Put a claimed task back in its unit queue. A retry with the same idempotencyKey returns the first answer.',
  })
  releaseTask(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
    @Args('expectedVersion', VERSION) version?: number,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<TaskDto> {
    return this.queue.release(ctx, id, version ?? undefined);
  }

  @Allow(Permission.CaseAssign)
  @IdempotentMutation<{ assigneeId: string }>({
    twin: 'POST /v1/tasks/:id/assign',
    status: 200,
    body: (args) => ({ assigneeId: args.assigneeId }),
  })
  @Mutation(() => TaskDto, {
    description:
      '分派: give a task to a colleague who may work it. A retry with the same idempotencyKey returns the first answer.',
  })
  assignTask(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
    @Args('assigneeId', { type: () => ID }, ParseUUIDPipe) assigneeId: string,
    @Args('expectedVersion', VERSION) version?: number,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<TaskDto> {
    return this.queue.assign(ctx, id, assigneeId, version ?? undefined);
  }

  @Allow(Permission.CaseAssign, ...TASK_PERMISSIONS)
  @IdempotentMutation<{ input: TransferTaskInput }>({
    twin: 'POST /v1/tasks/:id/transfer',
    status: 200,
    body: (args) => args.input,
  })
  @Mutation(() => TaskDto, {
    description:
      '转办: move a task to another unit, unassigned. A retry with the same idempotencyKey returns the first answer.',
  })
  transferTask(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
    @Args('input') input: TransferTaskInput,
    @Args('expectedVersion', VERSION) version?: number,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<TaskDto> {
    return this.queue.transfer(ctx, id, input, version ?? undefined);
  }

  @Allow(...TASK_PERMISSIONS)
  @IdempotentMutation<{ input: DelegateTaskInput }>({
    twin: 'POST /v1/tasks/:id/delegate',
    status: 200,
    body: (args) => args.input,
  })
  @Mutation(() => TaskDto, {
    description:
      'Hand my claimed task to a colleague. A retry with the same idempotencyKey returns the first answer.',
  })
  delegateTask(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
    @Args('input') input: DelegateTaskInput,
    @Args('expectedVersion', VERSION) version?: number,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<TaskDto> {
    return this.queue.delegate(ctx, id, input, version ?? undefined);
  }

  // Applicants may ask, to get the same NOT_FOUND as a stranger rather than a telling FORBIDDEN.
  @Allow(...QUEUE_PERMISSIONS, Permission.SelfService)
  @Query(() => CaseNoteConnection, { description: 'Internal notes of a case, oldest first.' })
  caseNotes(@Ctx() ctx: RequestContext, @Args() args: CaseNotesArgs): Promise<ConnectionShape<CaseNoteDto>> {
    return this.notes.connection(ctx, args.caseId, { limit: args.first, cursor: args.after ?? undefined });
  }

  @Allow(...QUEUE_PERMISSIONS, Permission.SelfService)
  @IdempotentMutation<{ input: AddCaseNoteInput }>({
    twin: 'POST /v1/cases/:input.caseId/notes',
    status: 201,
    body: (args) => ({ body: args.input.body }),
  })
  @Mutation(() => CaseNoteDto, {
    description:
      'Add an internal note to a case. A retry with the same idempotencyKey returns the first answer.',
  })
  addCaseNote(
    @Ctx() ctx: RequestContext,
    @Args('input') input: AddCaseNoteInput,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<CaseNoteDto> {
    return this.notes.add(ctx, input.caseId, input.body);
  }
}
