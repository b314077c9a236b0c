import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { IdempotencyService } from '../../../api/http/idempotency.service';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { AuditService } from '../../platform/audit/audit.service';
import { Account } from '../../platform/identity/account.entity';
import { scopeCondition } from '../../platform/identity/staff/unit-scope';
import { CaseFile, CaseNote, CaseTask } from '../workflow/case.entity';
import { CaseNoteDto, MAX_NOTE_LENGTH } from './dto/note.dto';
import { textProblem } from './dto/task.dto';
import { staffId, visibleTasks } from './task-query';

/** Who reads and writes a case's internal notes: its handling unit's case staff and supervisors. */
export const NOTE_PERMISSIONS = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseSupervise,
];

interface PageArgs {
  limit?: number;
  cursor?: string;
}

/** A case's notes pages by id. */
export const NOTE_CURSOR = cursorCodec<[string]>('case-notes', 'uuid');

/**
 * Internal notes (内部意见, I3) on a case: staff holding a case permission in the case's current
 * unit or above, or who can see one of its open tasks (a task transferred to their unit). Never
 * shown to the applicant; anyone else gets the case's 404.
 */
@Injectable()
export class NotesService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly idempotency: IdempotencyService,
  ) {}

  async list(ctx: RequestContext, caseId: string, page: PageArgs): Promise<Page<CaseNoteDto>> {
    return this.db.transaction(async () => {
      await this.requireCase(ctx, caseId);
      const qb = this.db.repo(CaseNote).createQueryBuilder('n').where('n.case_id = :caseId', { caseId });
      const result = await keysetPage(qb, page, {
        cursor: NOTE_CURSOR,
        idColumn: 'n.id',
        direction: 'ASC',
        keyOf: (n) => [n.id],
      });
      // Notes may speak about the applicant: reading them is on the record like any staff read.
      await this.audit.append(ctx, { action: 'case_note.list', resourceType: 'case', resourceId: caseId });
      return { items: await this.toDtos(result.items), nextCursor: result.nextCursor, count: result.count };
    });
  }

  async connection(
    ctx: RequestContext,
    caseId: string,
    page: PageArgs,
  ): Promise<ConnectionShape<CaseNoteDto>> {
    const result = await this.list(ctx, caseId, page);
    return toConnection(result.items, {
      cursorOf: (n) => NOTE_CURSOR.encode([n.id]),
      hasNextPage: result.nextCursor !== null,
      hasPreviousPage: !!page.cursor,
      totalCount: result.count,
    });
  }

  async add(ctx: RequestContext, caseId: string, body: string): Promise<CaseNoteDto> {
    // Checked here as well: GraphQL and other callers reach this without the REST body pipe.
    const problem = textProblem(body, MAX_NOTE_LENGTH);
    if (problem)
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/body', code: 'plainText', message: `body ${problem}` },
      ]);
    const authorId = staffId(ctx);
    return this.db.transaction(async () => {
      await this.requireCase(ctx, caseId);
      if (!authorId) throw new DomainError(ErrorCode.Forbidden);
      const note = this.db.repo(CaseNote).create({ caseId, authorId, body });
      await this.db.repo(CaseNote).save(note);
      await this.audit.append(ctx, {
        action: 'case_note.create',
        resourceType: 'case_note',
        resourceId: note.id,
      });
      return (await this.toDtos([note]))[0];
    });
  }

  /** add() for GraphQL, with the same Idempotency-Key rules as POST /v1/cases/{id}/notes. */
  addOnce(
    ctx: RequestContext,
    caseId: string,
    body: string,
    key: string | null | undefined,
  ): Promise<CaseNoteDto> {
    const request = { method: 'POST', path: `/v1/cases/${caseId}/notes`, body: { body }, status: 201 };
    return this.idempotency.once(ctx, key, request, () => this.add(ctx, caseId, body));
  }

  private async requireCase(ctx: RequestContext, caseId: string): Promise<void> {
    const scope = scopeCondition(ctx, NOTE_PERMISSIONS, 'c.organisation_id', 'noteScope');
    const visible = visibleTasks(ctx);
    const taskSql = this.db
      .repo(CaseTask)
      .createQueryBuilder('t')
      .select('1')
      .where('t.case_id = c.id')
      .andWhere("t.status = 'open'")
      .andWhere(visible.sql)
      .getQuery();
    const n = await this.db
      .repo(CaseFile)
      .createQueryBuilder('c')
      .where('c.id = :caseId', { caseId })
      .andWhere(`(${scope ? scope.sql : 'TRUE'} OR EXISTS (${taskSql}))`, {
        ...scope?.params,
        ...visible.params,
      })
      .getCount();
    if (!n) throw notFound('case');
  }

  private async toDtos(notes: CaseNote[]): Promise<CaseNoteDto[]> {
    const ids = [...new Set(notes.map((n) => n.authorId))];
    const authors = ids.length
      ? await this.db.repo(Account).find({ where: { id: In(ids) }, select: { id: true, displayName: true } })
      : [];
    const names = new Map(authors.map((a) => [a.id, a.displayName]));
    return notes.map((n) => ({
      id: n.id,
      caseId: n.caseId,
      author: { id: n.authorId, displayName: names.get(n.authorId) ?? null },
      body: n.body,
      createdAt: n.createdAt.toISOString(),
    }));
  }
}
