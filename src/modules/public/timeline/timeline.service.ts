import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cursorCodec, Page, PageQuery } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { TimelineItemDto } from './dto/timeline.dto';

/**
 * A kind of item a citizen follows (applications today; consultations, complaints, ratings later).
 * `sql` is a SELECT yielding `id, kind, title, state, next_deadline, updated_at` for the account
 * `$1`, titles in the language `$2` ('zh-CN' or 'en'). It must only return the account's own items.
 */
export interface TimelineSource {
  kind: string;
  sql: string;
}

interface Row {
  id: string;
  kind: string;
  title: string;
  state: string;
  next_deadline: Date | null;
  updated_at: Date;
}

/** The timeline pages by (last change, id), newest first; the instant has milliseconds. */
export const TIMELINE_CURSOR = cursorCodec<[string, string]>('timeline', 'instant', 'uuid');

/**
 * "My government" (C11): one list of everything a citizen has going on with the government,
 * newest change first. Modules register their sources at init; the list is one UNION ALL paged by
 * (updated_at, id), so a new kind joins by registering, with no change here.
 */
@Injectable()
export class TimelineService {
  private readonly sources = new Map<string, TimelineSource>();

  constructor(private readonly db: Db) {}

  register(source: TimelineSource): void {
    this.sources.set(source.kind, source);
  }

  async list(ctx: RequestContext, page: PageQuery): Promise<Page<TimelineItemDto>> {
    if (ctx.actor.kind !== 'citizen' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
    const limit = page.limit ?? 20;
    if (!this.sources.size) return { items: [], nextCursor: null };
    const after = page.cursor ? TIMELINE_CURSOR.decode(page.cursor) : null;
    // Milliseconds, so the cursor (a JS date) compares equal to the row it was taken from.
    const union = [...this.sources.values()]
      .map(
        (s, i) =>
          `SELECT CAST(s${i}.id AS text) AS id, s${i}.kind, s${i}.title, s${i}.state, s${i}.next_deadline,
                  date_trunc('milliseconds', s${i}.updated_at) AS updated_at
           FROM (${s.sql}) s${i}`,
      )
      .join(' UNION ALL ');
    const rows = await this.db.query<Row>(
      `SELECT * FROM (${union}) t
       WHERE $1::uuid IS NOT NULL AND $2::text IS NOT NULL -- typed here for sources that use neither
         AND ($3::timestamptz IS NULL OR (t.updated_at, t.id) < ($3::timestamptz, $4::text))
       ORDER BY t.updated_at DESC, t.id DESC
       LIMIT ${limit + 1}`,
      [ctx.actor.id, ctx.language, after?.[0] ?? null, after?.[1] ?? null],
    );
    const items = rows.slice(0, limit).map((r) => ({
      kind: r.kind,
      id: r.id,
      title: r.title,
      state: r.state,
      nextDeadline: r.next_deadline ? new Date(r.next_deadline).toISOString() : null,
      updatedAt: new Date(r.updated_at).toISOString(),
    }));
    const last = items[items.length - 1];
    return {
      items,
      nextCursor: rows.length > limit ? TIMELINE_CURSOR.encode([last.updatedAt, last.id]) : null,
      count: async () => {
        const [{ n }] = await this.db.query<{ n: string }>(
          `SELECT count(*) AS n FROM (${union}) t WHERE $1::uuid IS NOT NULL AND $2::text IS NOT NULL`,
          [ctx.actor.id, ctx.language],
        );
        return Number(n);
      },
    };
  }
}
