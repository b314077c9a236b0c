import { Injectable, OnModuleInit } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import type { GuideLimit } from '../../internal/workflow/case-clock';
import { CaseStatus } from '../../internal/workflow/case.entity';
import { CaseSubject, CaseTypeRegistry } from '../../internal/workflow/case-type';
import type { CaseTransition } from '../../internal/workflow/engine-types';
import { CalendarService } from '../../platform/calendar/calendar.service';
import { ClockUnit } from '../../platform/calendar/deadline';
import { JobsService } from '../../platform/jobs/jobs.service';
import { NotificationsService } from '../../platform/notifications/notifications.service';
import { Complaint, ComplaintUpdate } from './complaint.entity';
import { ComplaintCategory } from './complaint-category.entity';
import { ComplaintTemplate } from './complaint-declarations';
import { defaultLimit, extendedStatusOf, regionChain } from './complaint-rules';

export const COMPLAINT_CASE_TYPE = 'complaint';
export const CALLBACK_JOB = 'complaints.callback';

/** What the filing hands the case type (NewCase.loaded.owner): the order's urgency and region. */
export interface ComplaintOpening {
  category: ComplaintCategory;
  urgency: string;
  regionCode: string;
}

/** Effects whose history entry the public sees (the rest stay internal). */
const PUBLIC_EFFECTS = new Set([
  'started',
  'dispatch',
  'sign',
  'reply',
  'callback',
  'reopen',
  'refuse',
  'close',
  'grant_extension',
]);

/**
 * Registers work orders as the `complaint` case type: subject key = category code, the category's
 * dispatch centre receives and owns its definitions, the time limit comes from complaint_time_limit
 * (category × urgency × region), and each transition is mirrored on the order (status, public
 * record, answer to merged duplicates, the next-working-day callback job).
 */
@Injectable()
export class ComplaintCaseType implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly registry: CaseTypeRegistry,
    private readonly calendar: CalendarService,
    private readonly jobs: JobsService,
    private readonly notifications: NotificationsService,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      key: COMPLAINT_CASE_TYPE,
      title: { 'zh-CN': '诉求工单', en: 'Work order (12345)' },
      subjectResource: 'complaint_category',
      subject: (key, options) => this.subject(key, options.loaded as ComplaintOpening | undefined),
      onTransition: (ctx, t) => this.transition(ctx, t),
      historyTitle: (effect) =>
        effect === 'reply'
          ? { 'zh-CN': '已答复', en: 'Answered' }
          : effect === 'callback'
            ? { 'zh-CN': '已回访', en: 'Called back' }
            : null,
    });
  }

  private async subject(code: string, opening: ComplaintOpening | undefined): Promise<CaseSubject | null> {
    const category =
      opening?.category ?? (await this.db.repo(ComplaintCategory).findOne({ where: { code } }));
    if (!category) return null;
    const regionCode = opening?.regionCode ?? category.regionCode;
    const promised = opening ? await this.limit(category, opening.urgency, regionCode) : null;
    return {
      organisationId: category.organisationId,
      regionCode,
      limits: { promised: promised ?? defaultLimit(category.kind, 'normal') },
      held: category,
    };
  }

  /** The most specific row: category before kind before catch-all, a region before its parents before everywhere. */
  async limit(category: ComplaintCategory, urgency: string, regionCode: string): Promise<GuideLimit> {
    const regions = regionChain(regionCode);
    const rows = await this.db.query<{
      amount: number;
      unit: string;
      region_code: string | null;
      category_code: string | null;
      kind: string | null;
    }>(
      `SELECT amount, unit, region_code, category_code, kind FROM complaint_time_limit
       WHERE urgency = $1 AND (region_code IS NULL OR region_code = ANY($2::text[]))
         AND (category_code = $3 OR (category_code IS NULL AND (kind = $4 OR kind IS NULL)))`,
      [urgency, regions, category.code, category.kind],
    );
    const rank = (r: (typeof rows)[0]) =>
      (r.category_code ? 0 : r.kind ? 100 : 200) + (r.region_code ? regions.indexOf(r.region_code) : 50);
    const best = rows.sort((a, b) => rank(a) - rank(b))[0];
    return best ? { amount: best.amount, unit: best.unit } : defaultLimit(category.kind, urgency);
  }

  private async transition(ctx: RequestContext, t: CaseTransition): Promise<void> {
    const repo = this.db.repo(Complaint);
    const complaint = await repo.findOne({
      where: { id: t.caseFile.subjectId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!complaint) return;
    const c = t.caseFile;
    const closed = c.status === CaseStatus.Closed;
    const satisfaction =
      t.effect === 'callback' ? satisfactionOf(t.event.data.satisfaction) : complaint.satisfaction;
    const extended =
      t.effect === 'close' && t.event.action === 'merge'
        ? 'duplicate'
        : extendedStatusOf(t.effect, closed, satisfaction);
    complaint.caseId = c.id;
    complaint.status = closed ? 'closed' : 'open';
    complaint.extendedStatus = complaint.duplicateOfId ? 'duplicate' : extended;
    complaint.handlingOrganisationId = c.organisationId;
    complaint.expectedAt = c.dueAt ?? null;
    complaint.closedAt = closed ? (complaint.closedAt ?? new Date()) : null;
    if (t.effect === 'callback') complaint.satisfaction = satisfaction;
    if (t.effect === 'reply') complaint.statusNotes = t.event.reason;
    if (t.effect === 'refuse') complaint.statusNotes = t.event.reason;
    await repo.save(complaint);
    if (PUBLIC_EFFECTS.has(t.effect))
      await this.addUpdate(
        complaint,
        'transition',
        t.effect === 'reply' || t.effect === 'refuse' ? (t.event.reason ?? '') : effectText(t.effect),
      );
    if (t.effect === 'reply') await this.answered(ctx, complaint, t.event.reason ?? '');
  }

  /** The answer goes to the order, every order merged into it, and the callback is due the next working day. */
  private async answered(ctx: RequestContext, complaint: Complaint, answer: string): Promise<void> {
    const merged = await this.db.repo(Complaint).find({ where: { duplicateOfId: complaint.id } });
    for (const m of merged) {
      await this.db.repo(Complaint).update(m.id, { statusNotes: answer });
      await this.addUpdate(m, 'transition', answer);
    }
    for (const target of [complaint, ...merged])
      if (target.complainantAccountId)
        await this.notifications.notify(
          ctx,
          target.complainantAccountId,
          ComplaintTemplate.Answered,
          { number: target.number, answer: answer.slice(0, 500) },
          ['inapp'],
          { link: `/complaints/${target.id}` },
        );
    const runAt = await this.nextWorkingDay(complaint.regionCode, new Date());
    await this.jobs.enqueue(
      CALLBACK_JOB,
      { complaintId: complaint.id },
      { runAt, dedupeKey: `${CALLBACK_JOB}:${complaint.id}`, maxAttempts: 5 },
    );
  }

  /** 09:00 China time of the next working day in the region (tomorrow when the calendar cannot say). */
  async nextWorkingDay(regionCode: string, now: Date): Promise<Date> {
    const d = await this.calendar.deadline(regionCode, now, {
      unit: ClockUnit.WorkingDays,
      amount: 1,
      pauses: [],
      extension: 0,
    });
    return d.dueDate ? new Date(`${d.dueDate}T09:00:00+08:00`) : new Date(now.getTime() + 24 * 3_600_000);
  }

  async addUpdate(
    complaint: Complaint,
    kind: string,
    description: string,
    extra: Partial<ComplaintUpdate> = {},
  ): Promise<ComplaintUpdate> {
    const row = this.db.repo(ComplaintUpdate).create({
      id: uuidv7(),
      complaintId: complaint.id,
      kind,
      public: true,
      status: complaint.status,
      extendedStatus: complaint.extendedStatus,
      description,
      mediaUrl: null,
      tier: null,
      ...extra,
    });
    await this.db.repo(ComplaintUpdate).insert(row);
    return row;
  }
}

/** The callback's answer as recorded by the engine (one of the three, else nothing). */
const satisfactionOf = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function effectText(effect: string): string {
  const texts: Record<string, string> = {
    started: '已受理 / Received',
    dispatch: '已派单 / Dispatched to the responsible unit',
    sign: '承办单位已签收 / Accepted by the responsible unit',
    callback: '已回访 / Called back',
    reopen: '重新办理 / Reopened',
    close: '已办结 / Closed',
    grant_extension: '已延期 / Time limit extended',
  };
  return texts[effect] ?? effect;
}
