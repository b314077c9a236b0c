import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Idempotent } from '../../../api/http/idempotency';
import { OptionalIfMatch } from '../../../api/http/if-match';
import { Page, PageQuery } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import { CaseNoteDto, CaseNotePageDto, CreateCaseNoteDto } from './dto/note.dto';
import {
  AssignTaskDto,
  DelegateTaskDto,
  TaskDto,
  TaskPageDto,
  TaskQuery,
  TransferTaskDto,
} from './dto/task.dto';
import { NotesService } from './notes.service';
import { QUEUE_PERMISSIONS, TASK_PERMISSIONS } from './task-query';
import { TasksService } from './tasks.service';

const IF_MATCH = ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'the ETag ("v<version>") of the task the caller last saw',
});

/** Work queues (I2): a staff member's tasks and the operations on who holds them. */
@ApiTags('tasks')
@Controller({ path: 'tasks', version: '1' })
export class TasksController {
  constructor(private readonly tasks: TasksService) {}

  /** My queue: open tasks I may claim in my units and below, and those assigned to me; earliest deadline first. */
  @Allow(...QUEUE_PERMISSIONS)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: TaskPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: TaskQuery): Promise<Page<TaskDto>> {
    return this.tasks.list(ctx, query, query);
  }

  /** One task within my queue's scope (404 otherwise). */
  @Allow(...QUEUE_PERMISSIONS)
  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: TaskDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<TaskDto> {
    return this.tasks.get(ctx, id);
  }

  /** 认领: takes an unassigned task whose permission I hold in its unit; claimed by a colleague → 409. */
  @Allow(...TASK_PERMISSIONS)
  @Post(':id/claim')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @IF_MATCH
  @ApiOkResponse({ type: TaskDto })
  claim(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() version: number | undefined,
  ): Promise<TaskDto> {
    return this.tasks.claim(ctx, id, version);
  }

  /** Puts a claimed task back in its unit's queue: its assignee, or a case:assign holder over the unit. */
  @Allow(...TASK_PERMISSIONS, Permission.CaseAssign)
  @Post(':id/release')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @IF_MATCH
  @ApiOkResponse({ type: TaskDto })
  release(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() version: number | undefined,
  ): Promise<TaskDto> {
    return this.tasks.release(ctx, id, version);
  }

  /** 分派: gives the task to a colleague holding its permission in its unit or above (else 400 /assigneeId). */
  @Allow(Permission.CaseAssign)
  @Post(':id/assign')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @IF_MATCH
  @ApiOkResponse({ type: TaskDto })
  assign(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() version: number | undefined,
    @Body() dto: AssignTaskDto,
  ): Promise<TaskDto> {
    return this.tasks.assign(ctx, id, dto.assigneeId, version);
  }

  /** 转办: moves the task to another unit (within my case:assign scope, or to a sub-unit by its assignee), unassigned. */
  @Allow(Permission.CaseAssign, ...TASK_PERMISSIONS)
  @Post(':id/transfer')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @IF_MATCH
  @ApiOkResponse({ type: TaskDto })
  transfer(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() version: number | undefined,
    @Body() dto: TransferTaskDto,
  ): Promise<TaskDto> {
    return this.tasks.transfer(ctx, id, dto, version);
  }

  /** The assignee hands the task to a colleague who may work it in its unit. */
  @Allow(...TASK_PERMISSIONS)
  @Post(':id/delegate')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @IF_MATCH
  @ApiOkResponse({ type: TaskDto })
  delegate(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() version: number | undefined,
    @Body() dto: DelegateTaskDto,
  ): Promise<TaskDto> {
    return this.tasks.delegate(ctx, id, dto, version);
  }
}

/**
 * Internal notes (内部意见) on a case: its units' case staff only; never the applicant. Applicants
 * pass the guard only to get the same 404 as a stranger, not a 403 that confirms the case exists.
 */
@ApiTags('cases')
@Controller({ path: 'cases', version: '1' })
export class CaseNotesController {
  constructor(private readonly notes: NotesService) {}

  /** The case's internal notes, oldest first. Applicants and staff outside the case's units get 404. */
  @Allow(...QUEUE_PERMISSIONS, Permission.SelfService)
  @Get(':id/notes')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: CaseNotePageDto })
  list(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Query() query: PageQuery,
  ): Promise<Page<CaseNoteDto>> {
    return this.notes.list(ctx, id, query);
  }

  /** Adds an internal note (1 to 4000 characters). */
  @Allow(...QUEUE_PERMISSIONS, Permission.SelfService)
  @Post(':id/notes')
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: CaseNoteDto })
  add(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: CreateCaseNoteDto,
  ): Promise<CaseNoteDto> {
    return this.notes.add(ctx, id, dto.body);
  }
}
