import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { cursorCodec, keysetPage, type Page } from '../../../api/http/pagination';
import { Db } from '../../../database/db';
import { AuditLeaf } from './audit.entity';
import { DataAccessItemDto, DataAccessPageDto, DataAccessQueryDto } from './dto/data-access.dto';

/** Accesses by these actors are shown to the data subject; a citizen's own actions and system jobs are not. */
const ACCESSOR_KINDS = ['staff', 'client', 'apikey'] as const;
type AccessorKind = (typeof ACCESSOR_KINDS)[number];

/** The audit leaves page by their sequence number (a bigint, carried as decimal text). */
export const DATA_ACCESS_CURSOR = cursorCodec<[string]>('data-access', 'seq');

/**
 * "Who looked at my data": the audit leaves naming the caller as subject, written by staff or by
 * another system, except those under a lawful embargo that has not yet passed (hidden, never deleted).
 */
@Injectable()
export class DataAccessService {
  constructor(private readonly db: Db) {}

  async list(
    ctx: RequestContext,
    q: DataAccessQueryDto,
  ): Promise<DataAccessPageDto & Pick<Page<DataAccessItemDto>, 'count'>> {
    const since = q.since ? new Date(q.since) : null;
    const until = q.until ? new Date(q.until) : null;
    if (since && until && since >= until) {
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/until', code: 'min', message: 'until must be later than since' },
      ]);
    }
    // Checked before the early return below, so a forged cursor is refused whoever asks.
    if (q.cursor) DATA_ACCESS_CURSOR.decode(q.cursor);
    const subject = ctx.actor.id;
    if (!subject) return { items: [], nextCursor: null };
    const qb = this.db
      .repo(AuditLeaf)
      .createQueryBuilder('l')
      .where('l.subjectId = :subject', { subject })
      .andWhere('l.actorKind IN (:...kinds)', { kinds: [...ACCESSOR_KINDS] })
      .andWhere('(l.hiddenUntil IS NULL OR l.hiddenUntil <= now())');
    if (since) qb.andWhere('l.at >= :since', { since });
    if (until) qb.andWhere('l.at < :until', { until });
    const page = await keysetPage(qb, q, {
      cursor: DATA_ACCESS_CURSOR,
      idColumn: 'l.seq',
      direction: 'DESC',
      keyOf: (l) => [String(l.seq)],
    });
    const agencies = await this.agencies(ctx, page.items);
    return {
      items: page.items.map((l) => toItem(l, agencies)),
      nextCursor: page.nextCursor,
      count: page.count,
    };
  }

  private async agencies(ctx: RequestContext, leaves: AuditLeaf[]): Promise<Map<string, string>> {
    const ids = [...new Set(leaves.map((l) => l.organisationId).filter((id): id is string => id !== null))];
    if (!ids.length) return new Map();
    const rows = await this.db.query<{ id: string; name: string; name_en: string | null }>(
      'SELECT id, name, name_en FROM organisation WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((r) => [r.id, ctx.language === 'en' && r.name_en ? r.name_en : r.name]));
  }
}

function toItem(l: AuditLeaf, agencies: Map<string, string>): DataAccessItemDto {
  const kind = l.actorKind as AccessorKind;
  const name = l.organisationId ? agencies.get(l.organisationId) : undefined;
  return {
    seq: l.seq,
    at: l.at.toISOString(),
    action: l.action,
    purpose: l.purpose,
    legalBasis: l.legalBasis,
    agency: l.organisationId ? { id: l.organisationId, name: name ?? l.organisationId } : null,
    // Staff are represented by their agency, never by their own id or name.
    system: { kind, clientId: kind === 'staff' ? null : l.actorId },
    channel: l.channel,
  };
}
