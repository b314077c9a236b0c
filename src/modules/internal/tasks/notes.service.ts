import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { cursorCodec, keysetPage, Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { AccessService } from '../../platform/access/access.service';
import { AuditService } from '../../platform/audit/audit.service';
import { AccountDirectory } from '../../platform/identity/account-directory.service';
import { CaseRecords } from '../workflow/case-records.service';
import type { CaseNote } from '../workflow/case.entity';
import { CaseNoteDto, MAX_NOTE_LENGTH } from './dto/note.dto';
import { textProblem } from './dto/task.dto';
import { staffId } from './task-query';

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
    private readonly access: AccessService,
    private readonly records: CaseRecords,
    private readonly accounts: AccountDirectory,
  ) {}

  async list(ctx: RequestContext, caseId: string, page: PageArgs): Promise<Page<CaseNoteDto>> {
    return this.db.transaction(async () => {
      await this.requireCase(ctx, caseId);
      const qb = this.records.notes(caseId);
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
      const note = await this.records.addNote(caseId, authorId, body);
      await this.audit.append(ctx, {
        action: 'case_note.create',
        resourceType: 'case_note',
        resourceId: note.id,
      });
      return (await this.toDtos([note]))[0];
    });
  }

  /** The case's 404 unless the case policy lets the caller at its notes ('note'). */
  private async requireCase(ctx: RequestContext, caseId: string): Promise<void> {
    await this.access.require(ctx, 'case', caseId, 'note');
  }

  private async toDtos(notes: CaseNote[]): Promise<CaseNoteDto[]> {
    const names = await this.accounts.displayNames(notes.map((n) => n.authorId));
    return notes.map((n) => ({
      id: n.id,
      caseId: n.caseId,
      author: { id: n.authorId, displayName: names.get(n.authorId) ?? null },
      body: n.body,
      createdAt: n.createdAt.toISOString(),
    }));
  }
}
