import { Injectable } from '@nestjs/common';
import type { SelectQueryBuilder } from 'typeorm';
import type { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { CaseEvent, CaseFile, CaseNote, CaseTask } from './case.entity';

/** A change to who holds a task, for the case's internal history. */
export interface TaskChangeRecord {
  /** claim, release, assign, transfer, delegate: recorded as `task_<verb>` */
  verb: string;
  actorId: string;
  reason?: string | null;
  data: Record<string, unknown>;
}

/**
 * The case aggregate's rows for the modules around the engine (the work queue, internal notes):
 * they ask here instead of writing case_event, case_task or case_note themselves, so the case's SQL
 * stays in the workflow module. Every method joins the caller's transaction.
 */
@Injectable()
export class CaseRecords {
  constructor(private readonly db: Db) {}

  /** A task by id, row-locked for the caller's transaction when asked. */
  task(id: string, lock = false): Promise<CaseTask | null> {
    return this.db.byId(CaseTask, id, { lock });
  }

  /** Tasks with their case, as a query the queue narrows and pages (aliases `t` and `c`). */
  tasks(): SelectQueryBuilder<CaseTask> {
    return this.db.repo(CaseTask).createQueryBuilder('t').innerJoin(CaseFile, 'c', 'c.id = t.case_id');
  }

  /**
   * Saves a task whose holder changed and writes the internal (non-public) history entry for it;
   * answers the case, for the notice that may follow.
   */
  async saveTaskChange(ctx: RequestContext, task: CaseTask, change: TaskChangeRecord): Promise<CaseFile> {
    const caseFile = await this.db.repo(CaseFile).findOneOrFail({ where: { id: task.caseId } });
    await this.db.repo(CaseTask).save(task);
    await this.db.repo(CaseEvent).save(
      this.db.repo(CaseEvent).create({
        caseId: task.caseId,
        action: `task_${change.verb}`,
        actorKind: ctx.actor.kind,
        actorId: change.actorId,
        onBehalfOf: ctx.actor.onBehalfOf ?? null,
        fromStage: task.stage,
        toStage: task.stage,
        status: caseFile.status,
        reason: change.reason ?? null,
        data: change.data,
        public: false,
      }),
    );
    return caseFile;
  }

  /** A case's internal notes, as a query to page (alias `n`). */
  notes(caseId: string): SelectQueryBuilder<CaseNote> {
    return this.db.repo(CaseNote).createQueryBuilder('n').where('n.case_id = :caseId', { caseId });
  }

  async addNote(caseId: string, authorId: string, body: string): Promise<CaseNote> {
    const note = this.db.repo(CaseNote).create({ caseId, authorId, body });
    return this.db.repo(CaseNote).save(note);
  }
}
