import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleInit,
} from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import { RequestContext } from '../../../api/context/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { CalendarChange, CalendarService } from '../../platform/calendar/calendar.service';
import { regionChain, WarningLevel } from '../../platform/calendar/deadline';
import { ROLES } from '../../platform/identity/staff/role-catalogue';
import { JobsService } from '../../platform/jobs/jobs.service';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { CaseFile, CaseStatus, CaseTask } from './case.entity';
import { WorkflowDefinition } from './workflow-definition.entity';
import { WorkflowEngine } from './workflow-engine.service';
import type { WorkflowSpec } from './workflow-spec';

export const CLOCK_JOB = 'workflow.clock';
/** how often the lights are refreshed */
export const CLOCK_INTERVAL_MS = 10 * 60_000;
const BATCH = 500;
const MAX_RECIPIENTS = 50;

export interface TickResult {
  cases: number;
  tasks: number;
  reminded: number;
  escalated: number;
}

/**
 * 电子监察 clocks: refreshes the warning lights of open cases and steps, reminds the people who
 * hold a step once it turns yellow, and escalates overdue cases and steps (once each) to the
 * supervisors of the units above. Also recomputes due dates when a calendar changes.
 */
@Injectable()
export class ClockJobsService implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger('WorkflowClock');
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly db: Db,
    private readonly jobs: JobsService,
    private readonly calendar: CalendarService,
    private readonly notifications: NotificationsService,
    private readonly engine: WorkflowEngine,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.jobs.register(CLOCK_JOB, async () => {
      await this.tick(new Date());
      await this.schedule(new Date(Date.now() + CLOCK_INTERVAL_MS));
    });
    this.calendar.onChange((change) => {
      const work = this.calendarChanged(change).then(
        () => undefined,
        (err: unknown) => {
          // Before the migrations ran (contract generation) there is no case table to update.
          if ((err as { code?: string }).code !== '42P01') throw err;
        },
      );
      this.running.add(work);
      return work.finally(() => this.running.delete(work));
    });
  }

  /** Lets a recomputation started by a calendar change finish before the pool closes. */
  async beforeApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.config.jobs.enabled) await this.schedule(new Date(Date.now() + 60_000));
  }

  private async schedule(runAt: Date): Promise<void> {
    await this.jobs.enqueue(CLOCK_JOB, {}, { runAt, dedupeKey: CLOCK_JOB, maxAttempts: 5 });
  }

  /** One pass over the open cases and steps as of `now` (tests call it with a chosen instant). */
  async tick(now: Date): Promise<TickResult> {
    const ctx = RequestContext.system('workflow-clock');
    const result: TickResult = { cases: 0, tasks: 0, reminded: 0, escalated: 0 };
    const specs = new Map<string, WorkflowSpec>();
    const specOf = async (definitionId: string) => {
      if (!specs.has(definitionId)) {
        const d = await this.db.repo(WorkflowDefinition).findOne({ where: { id: definitionId } });
        if (d) specs.set(definitionId, d.spec);
      }
      return specs.get(definitionId);
    };
    await this.db.transaction(async () => {
      const cases = await this.db
        .repo(CaseFile)
        .createQueryBuilder('c')
        // Red and already escalated is final until the due date moves (an action recomputes it then),
        // so each pass only looks at clocks that can still change: the batch never starves.
        .where(
          `c.status <> 'closed' AND c.due_at IS NOT NULL AND (c.warning_level <> 'red' OR c.escalated_at IS NULL)`,
        )
        .orderBy('c.due_at', 'ASC')
        .limit(BATCH)
        .getMany();
      for (const c of cases) {
        const spec = await specOf(c.definitionId);
        if (!spec || !c.dueAt) continue;
        const level = await this.calendar.warning(c.regionCode, now, c.dueAt, spec.clock.yellowWithin);
        result.cases++;
        const escalate = level === 'red' && spec.clock.escalateOverdue && !c.escalatedAt;
        if (level !== c.warningLevel || escalate)
          await this.db.query(
            `UPDATE case_file SET warning_level = $2, escalated_at = CASE WHEN $3 THEN $4::timestamptz ELSE escalated_at END WHERE id = $1`,
            [c.id, level, escalate, now],
          );
        if (escalate) {
          await this.escalate(ctx, c, null, now);
          result.escalated++;
        }
      }
      const tasks = await this.db
        .repo(CaseTask)
        .createQueryBuilder('t')
        .innerJoin(CaseFile, 'c', 'c.id = t.case_id')
        .where(
          `t.status = 'open' AND t.due_at IS NOT NULL AND c.status = :open
           AND (t.warning_level <> 'red' OR t.escalated_at IS NULL OR t.reminded_at IS NULL)`,
          { open: CaseStatus.Open },
        )
        .orderBy('t.due_at', 'ASC')
        .limit(BATCH)
        .getMany();
      for (const t of tasks) {
        const c = await this.db.repo(CaseFile).findOne({ where: { id: t.caseId } });
        const spec = c && (await specOf(c.definitionId));
        if (!c || !spec || !t.dueAt) continue;
        result.tasks++;
        const level: WarningLevel = await this.calendar.warning(
          c.regionCode,
          now,
          t.dueAt,
          spec.clock.yellowWithin,
        );
        const remind = level !== 'green' && !t.remindedAt;
        const escalate = level === 'red' && spec.clock.escalateOverdue && !t.escalatedAt;
        if (level !== t.warningLevel || remind || escalate)
          await this.db.query(
            `UPDATE case_task SET warning_level = $2,
               reminded_at = CASE WHEN $3 THEN $5::timestamptz ELSE reminded_at END,
               escalated_at = CASE WHEN $4 THEN $5::timestamptz ELSE escalated_at END
             WHERE id = $1`,
            [t.id, level, remind, escalate, now],
          );
        if (remind) {
          await this.remind(ctx, c, t);
          result.reminded++;
        }
        if (escalate) {
          await this.escalate(ctx, c, t, now);
          result.escalated++;
        }
      }
    });
    return result;
  }

  /** The assignee of the step, else the staff who may claim it (holders of its permission at or above its unit). */
  private async remind(ctx: RequestContext, c: CaseFile, t: CaseTask): Promise<void> {
    const recipients = t.assigneeId
      ? [t.assigneeId]
      : await this.holders(t.permission as Permission, t.organisationId);
    for (const accountId of recipients)
      await this.notifications.notify(
        ctx,
        accountId,
        'case.task_reminder',
        { number: c.number, stage: t.stage, dueAt: t.dueAt?.toISOString() ?? '' },
        ['inapp'],
        { link: `/cases/${c.id}` },
      );
  }

  /** An internal 'escalated' entry and a notice to the supervisors (case:supervise) at or above the unit. */
  private async escalate(ctx: RequestContext, c: CaseFile, t: CaseTask | null, now: Date): Promise<void> {
    await this.engine.record(ctx, c, 'escalated', {
      fromStage: c.stage,
      toStage: null,
      public: false,
      reason: null,
      data: t
        ? { taskId: t.id, stage: t.stage, dueAt: t.dueAt?.toISOString() }
        : { dueAt: c.dueAt?.toISOString(), at: now.toISOString() },
    });
    for (const accountId of await this.holders(Permission.CaseSupervise, c.organisationId))
      await this.notifications.notify(
        ctx,
        accountId,
        'case.overdue_escalation',
        { number: c.number, stage: t?.stage ?? c.stage, dueAt: (t ? t.dueAt : c.dueAt)?.toISOString() ?? '' },
        ['inapp'],
        { link: `/cases/${c.id}` },
      );
  }

  /** Active staff holding a role with the permission in the unit or a unit above it (global admins left out). */
  private async holders(permission: Permission, unitId: string): Promise<string[]> {
    const roles = Object.values(ROLES)
      .filter((r) => r.permissions.includes(permission))
      .map((r) => r.name);
    const rows = await this.db.query<{ id: string }>(
      `SELECT DISTINCT a.id FROM role_assignment ra
       JOIN account a ON a.id = ra.account_id AND a.status = 'active'
       JOIN organisation_closure oc ON oc.ancestor_id = ra.organisation_id AND oc.descendant_id = $1
       WHERE ra.role = ANY($2::text[])
         AND (ra.valid_from IS NULL OR ra.valid_from <= now()) AND (ra.valid_until IS NULL OR ra.valid_until > now())
       ORDER BY a.id LIMIT ${MAX_RECIPIENTS}`,
      [unitId, roles],
    );
    return rows.map((r) => r.id);
  }

  /**
   * Recomputes the due dates of running cases after a calendar change: those whose region's
   * calendar (or a calendar above it) changed, and every provisional one.
   */
  async calendarChanged(change: CalendarChange): Promise<number> {
    const rows = await this.db.query<{ id: string; region_code: string; due_provisional: boolean }>(
      `SELECT id, region_code, due_provisional FROM case_file WHERE status <> 'closed' LIMIT 5000`,
    );
    const affected = rows.filter(
      (r) => r.due_provisional || regionChain(r.region_code).includes(change.regionCode),
    );
    const now = new Date();
    for (const { id } of affected) {
      // One case that cannot be recomputed (its definition gone) must not hold up the others.
      await this.recomputeDue(id, now).catch((err: unknown) =>
        this.log.warn(`case ${id}: due date not recomputed (${(err as Error).message})`),
      );
    }
    if (affected.length)
      this.log.log(`calendar change ${change.regionCode}: ${affected.length} case clocks checked`);
    return affected.length;
  }

  private recomputeDue(id: string, now: Date): Promise<void> {
    return this.db.transaction(async () => {
      const c = await this.db.repo(CaseFile).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!c || c.status === CaseStatus.Closed) return;
      const before = `${c.dueAt?.getTime() ?? null}:${c.dueProvisional}`;
      await this.engine.refreshClock(c, await this.engine.specOf(c), now);
      if (`${c.dueAt?.getTime() ?? null}:${c.dueProvisional}` === before) return;
      await this.db.query(
        'UPDATE case_file SET due_at = $2, due_provisional = $3, warning_level = $4 WHERE id = $1',
        [c.id, c.dueAt, c.dueProvisional, c.warningLevel],
      );
    });
  }
}
