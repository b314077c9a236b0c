import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, FieldError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { assertVersion } from '../../../api/http/if-match';
import { Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { AccountDirectory } from '../../platform/identity/account-directory.service';
import { isInScope } from '../../platform/identity/staff/unit-scope';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { CaseRecords } from '../workflow/case-records.service';
import { CaseTask, TaskStatus } from '../workflow/case.entity';
import { TaskAssignedFilter, TaskDto, TaskFilters, TaskSort, TaskStatusFilter } from './dto/task.dto';
import { holdsPermissionIn } from './eligibility';
import {
  applyKeyset,
  cursorOf,
  QUEUE_PERMISSIONS,
  staffId,
  TaskRow,
  taskSelect,
  toTaskDto,
} from './task-query';

interface PageArgs {
  limit?: number;
  cursor?: string;
}

/** What a queue operation did, for the task row, the case history, the audit log and the inbox. */
interface Change {
  verb: 'claim' | 'release' | 'assign' | 'transfer' | 'delegate';
  reason?: string | null;
  data: Record<string, unknown>;
  /** the account that now holds the task, to be told (never the caller) */
  notify?: string | null;
}

/**
 * Work queues (I2): the tasks the workflow engine creates, as each staff member's queue, and the
 * operations on who holds them: claim, release, assign, transfer, delegate. Only the assignee and
 * the candidate unit change here; completing a task is the engine's.
 */
@Injectable()
export class TasksService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly notifications: NotificationsService,
    private readonly access: AccessService,
    private readonly records: CaseRecords,
    private readonly accounts: AccountDirectory,
    private readonly organisations: OrganisationsService,
  ) {}

  async list(ctx: RequestContext, filters: TaskFilters, page: PageArgs): Promise<Page<TaskDto>> {
    const { rows, hasNext, sort } = await this.fetch(ctx, filters, page);
    return {
      items: rows.map((r) => toTaskDto(ctx, r)),
      nextCursor: hasNext ? cursorOf(rows[rows.length - 1], sort) : null,
    };
  }

  async connection(
    ctx: RequestContext,
    filters: TaskFilters,
    page: PageArgs,
  ): Promise<ConnectionShape<TaskDto>> {
    const { rows, hasNext, sort, count } = await this.fetch(ctx, filters, page);
    const cursors = new Map(rows.map((r) => [r.id, cursorOf(r, sort)]));
    return toConnection(
      rows.map((r) => toTaskDto(ctx, r)),
      {
        cursorOf: (t) => cursors.get(t.id)!,
        hasNextPage: hasNext,
        hasPreviousPage: !!page.cursor,
        totalCount: count,
      },
    );
  }

  async get(ctx: RequestContext, id: string): Promise<TaskDto> {
    const visible = this.access.scope(ctx, 'task');
    const row = await taskSelect(this.records)
      .where('t.id = :id', { id })
      .andWhere(visible.sql, visible.params)
      .getRawOne<TaskRow>();
    if (!row) throw notFound('task');
    return toTaskDto(ctx, row);
  }

  /** 认领: an open, unassigned task whose permission the caller holds in its unit or above. */
  claim(ctx: RequestContext, id: string, version?: number): Promise<TaskDto> {
    return this.change(ctx, id, version, async (task, me) => {
      if (task.assigneeId === me) return null;
      if (task.assigneeId)
        throw transition(ctx, 'the task is already claimed by a colleague', '该任务已被他人认领');
      if (!(await isInScope(this.db, ctx, task.permission as Permission, task.organisationId)))
        throw new DomainError(ErrorCode.Forbidden);
      task.assigneeId = me;
      task.claimedAt = new Date();
      return { verb: 'claim', data: { taskId: task.id, assigneeId: me } };
    });
  }

  /** Back to the unit's queue: by its assignee, or by whoever dispatches the unit's work. */
  release(ctx: RequestContext, id: string, version?: number): Promise<TaskDto> {
    return this.change(ctx, id, version, async (task, me) => {
      if (!task.assigneeId) throw transition(ctx, 'the task is not claimed', '该任务尚未被认领');
      if (task.assigneeId !== me && !(await this.dispatches(ctx, task.organisationId)))
        throw new DomainError(ErrorCode.Forbidden);
      const from = task.assigneeId;
      task.assigneeId = null;
      task.claimedAt = null;
      return { verb: 'release', data: { taskId: task.id, from } };
    });
  }

  /** 分派: a dispatcher (case:assign over the task's unit) gives the task to a colleague who may work it. */
  assign(ctx: RequestContext, id: string, assigneeId: string, version?: number): Promise<TaskDto> {
    return this.change(ctx, id, version, async (task) => {
      if (!(await this.dispatches(ctx, task.organisationId))) throw new DomainError(ErrorCode.Forbidden);
      await this.requireEligible(task, assigneeId);
      if (task.assigneeId === assigneeId) return null;
      const from = task.assigneeId;
      task.assigneeId = assigneeId;
      task.claimedAt = new Date();
      return { verb: 'assign', data: { taskId: task.id, from, to: assigneeId }, notify: assigneeId };
    });
  }

  /**
   * 转办: the task moves to another candidate unit and waits there unassigned. A dispatcher moves it
   * anywhere within their case:assign scope; its assignee may pass it down to a sub-unit.
   */
  transfer(
    ctx: RequestContext,
    id: string,
    input: { organisationId: string; reason: string },
    version?: number,
  ): Promise<TaskDto> {
    return this.change(ctx, id, version, async (task, me) => {
      const target = await this.organisations.unit(input.organisationId);
      const dispatcher = await this.dispatches(ctx, task.organisationId);
      const mine = task.assigneeId !== null && task.assigneeId === me;
      if (!dispatcher && !mine) throw new DomainError(ErrorCode.Forbidden);
      if (!target?.active)
        throw invalid('/organisationId', 'unknownUnit', 'organisationId is not an active unit');
      if (target.id === task.organisationId)
        throw invalid('/organisationId', 'sameUnit', 'the task is already in this unit');
      const allowed =
        (dispatcher && (await this.dispatches(ctx, target.id))) ||
        (mine && (await this.below(target.id, task.organisationId)));
      if (!allowed)
        throw invalid(
          '/organisationId',
          'outOfScope',
          'organisationId is not a unit you may transfer this task to',
        );
      const fromUnit = task.organisationId;
      const from = task.assigneeId;
      task.organisationId = target.id;
      task.assigneeId = null;
      task.claimedAt = null;
      return {
        verb: 'transfer',
        reason: input.reason,
        data: { taskId: task.id, from, fromUnit, toUnit: target.id },
      };
    });
  }

  /** The assignee hands the task to a colleague who may work it in the task's unit. */
  delegate(
    ctx: RequestContext,
    id: string,
    input: { assigneeId: string; reason?: string | null },
    version?: number,
  ): Promise<TaskDto> {
    return this.change(ctx, id, version, async (task, me) => {
      if (!task.assigneeId) throw transition(ctx, 'claim the task before delegating it', '请先认领该任务');
      if (task.assigneeId !== me) throw new DomainError(ErrorCode.Forbidden);
      if (input.assigneeId === me) throw invalid('/assigneeId', 'notSelf', 'you cannot delegate to yourself');
      await this.requireEligible(task, input.assigneeId);
      task.assigneeId = input.assigneeId;
      task.claimedAt = new Date();
      return {
        verb: 'delegate',
        reason: input.reason ?? null,
        data: { taskId: task.id, from: me, to: input.assigneeId },
        notify: input.assigneeId,
      };
    });
  }

  /**
   * One queue operation in one transaction: the task locked, checked (unseen → 404, stale If-Match
   * → 412, not open → 409), changed, its internal history entry, the audit leaf and the notice.
   * `apply` returns null when nothing needs to change (claiming one's own task).
   */
  private async change(
    ctx: RequestContext,
    id: string,
    version: number | undefined,
    apply: (task: CaseTask, me: string) => Promise<Change | null>,
  ): Promise<TaskDto> {
    const me = staffId(ctx);
    await this.db.transaction(async () => {
      const task = await this.access.require<CaseTask>(ctx, 'task', id, 'read', { lock: true });
      if (!me) throw new DomainError(ErrorCode.Forbidden);
      assertVersion(task, version);
      if (task.status !== TaskStatus.Open)
        throw transition(ctx, 'the task is no longer open', '该任务已办结或已取消');
      const change = await apply(task, me);
      if (!change) return;
      // The case's history is the workflow module's: it writes the entry with the task.
      const caseFile = await this.records.saveTaskChange(ctx, task, {
        verb: change.verb,
        actorId: me,
        reason: change.reason,
        data: change.data,
      });
      await this.audit.append(ctx, {
        action: `task.${change.verb}`,
        resourceType: 'case_task',
        resourceId: task.id,
      });
      if (change.notify && change.notify !== me) {
        const by = (await this.accounts.displayNames([me])).get(me);
        await this.notifications.notify(
          ctx,
          change.notify,
          'task.assigned',
          { caseNumber: caseFile.number, stage: task.stage, by: by ?? '' },
          ['inapp'],
          { link: `/tasks/${task.id}` },
        );
      }
    });
    // Read back without the scope filter: the caller just acted on it, even if it left their queue.
    const row = await taskSelect(this.records).where('t.id = :id', { id }).getRawOne<TaskRow>();
    return toTaskDto(ctx, row!);
  }

  private async fetch(
    ctx: RequestContext,
    filters: TaskFilters,
    page: PageArgs,
  ): Promise<{ rows: TaskRow[]; hasNext: boolean; sort: TaskSort; count: () => Promise<number> }> {
    const sort = filters.sort ?? TaskSort.DueAt;
    const limit = page.limit ?? 20;
    const me = staffId(ctx);
    const visible = this.access.scope(ctx, 'task');
    const qb = taskSelect(this.records, sort).where(visible.sql, visible.params);
    const status = filters.status === TaskStatusFilter.Completed ? TaskStatus.Completed : TaskStatus.Open;
    qb.andWhere('t.status = :status', { status });
    if (filters.assigned === TaskAssignedFilter.Me)
      qb.andWhere(me ? 't.assignee_id = :fMe' : '1 = 0', { fMe: me });
    if (filters.assigned === TaskAssignedFilter.Unassigned) qb.andWhere('t.assignee_id IS NULL');
    if (filters.serviceId) qb.andWhere('c.service_id = :serviceId', { serviceId: filters.serviceId });
    if (filters.organisationId) {
      if (!(await this.inQueueScope(ctx, filters.organisationId)))
        throw invalid('/organisationId', 'outOfScope', 'organisationId is not a unit within your scope');
      qb.andWhere(
        't.organisation_id IN (SELECT fc.descendant_id FROM organisation_closure fc WHERE fc.ancestor_id = :fUnit)',
        { fUnit: filters.organisationId },
      );
    }
    if (filters.stage) qb.andWhere('t.stage = :stage', { stage: filters.stage });
    if (filters.warningLevel) qb.andWhere('t.warning_level = :wl', { wl: filters.warningLevel });
    if (filters.dueBefore) {
      const before = new Date(filters.dueBefore);
      if (Number.isNaN(before.getTime()))
        throw invalid('/dueBefore', 'isISO8601', 'dueBefore must be an ISO 8601 instant');
      qb.andWhere('t.due_at < :before', { before });
    }
    // the filters without the cursor, for totalCount (run only if asked for)
    const counter = qb.clone();
    applyKeyset(qb, sort, page.cursor);
    const rows = await qb.limit(limit + 1).getRawMany<TaskRow>();
    return {
      rows: rows.slice(0, limit),
      hasNext: rows.length > limit,
      sort,
      count: () => counter.getCount(),
    };
  }

  private dispatches(ctx: RequestContext, unitId: string): Promise<boolean> {
    return isInScope(this.db, ctx, Permission.CaseAssign, unitId);
  }

  private async inQueueScope(ctx: RequestContext, unitId: string): Promise<boolean> {
    for (const p of QUEUE_PERMISSIONS) if (await isInScope(this.db, ctx, p, unitId)) return true;
    return false;
  }

  /** Strictly below: a sub-unit of `unitId`, not the unit itself. */
  private async below(candidate: string, unitId: string): Promise<boolean> {
    const rows = await this.db.query(
      'SELECT 1 FROM organisation_closure WHERE ancestor_id = $1 AND descendant_id = $2 AND depth > 0 LIMIT 1',
      [unitId, candidate],
    );
    return rows.length > 0;
  }

  private async requireEligible(task: CaseTask, accountId: string): Promise<void> {
    if (!(await holdsPermissionIn(this.db, accountId, task.permission as Permission, task.organisationId)))
      throw invalid(
        '/assigneeId',
        'notEligible',
        `assigneeId must be an active colleague holding ${task.permission} in the task's unit or above`,
      );
  }
}

const invalid = (pointer: string, code: string, message: string): DomainError => {
  const errors: FieldError[] = [{ pointer, code, message }];
  return new DomainError(ErrorCode.ValidationFailed, { count: 1 }, errors);
};

const transition = (ctx: RequestContext, en: string, zh: string): DomainError =>
  new DomainError(ErrorCode.InvalidTransition, { reason: ctx.language === 'en' ? en : zh });
