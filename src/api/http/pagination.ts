import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { SelectQueryBuilder, ObjectLiteral } from 'typeorm';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

export const MAX_PAGE_SIZE = 100;

/** `?limit=&cursor=` on every list; limit is capped, the cursor is opaque. */
export class PageQuery {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: 20,
    description: 'page size (at most 100)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit?: number;

  @ApiPropertyOptional({
    maxLength: 512,
    description: 'opaque cursor from the previous page (nextCursor or Link rel="next")',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  @Matches(/^[A-Za-z0-9_-]+$/)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** null on the last page */
  nextCursor: string | null;
}

type CursorValue = string | number | null;

export function encodeCursor(values: CursorValue[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): CursorValue[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (
      Array.isArray(values) &&
      values.length === arity &&
      values.every((v) => v === null || typeof v === 'string' || typeof v === 'number')
    ) {
      return values as CursorValue[];
    }
  } catch {
    // fall through
  }
  throw new DomainError(ErrorCode.InvalidCursor);
}

/** A UUID or a sequence number that fits a bigint. */
const DEFAULT_ID_RE = /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d{1,18})$/i;

export interface KeysetOptions<T> {
  /** SQL expression of the sort key, e.g. `o.name`; ties are broken by `idColumn` */
  sortColumn?: string;
  idColumn: string;
  /** shape of the ids in a cursor (default: UUID or integer): anything else is INVALID_CURSOR, not a SQL error */
  idPattern?: RegExp;
  direction?: 'ASC' | 'DESC';
  /** reads the sort key and id back from an item to build the next cursor */
  keyOf: (item: T) => [CursorValue, string] | [string];
}

/**
 * Keyset pagination over (sort key, id): stable under inserts, no OFFSET scans. Fetches one row
 * more than asked to know whether a next page exists.
 */
export async function keysetPage<T extends ObjectLiteral>(
  qb: SelectQueryBuilder<T>,
  page: PageQuery,
  opts: KeysetOptions<T>,
): Promise<Page<T>> {
  const limit = page.limit ?? 20;
  const dir = opts.direction ?? 'ASC';
  const cmp = dir === 'ASC' ? '>' : '<';
  const checkedId = (id: unknown): string => {
    if (typeof id !== 'string' || !(opts.idPattern ?? DEFAULT_ID_RE).test(id))
      throw new DomainError(ErrorCode.InvalidCursor);
    return id;
  };
  if (page.cursor) {
    if (opts.sortColumn) {
      const [sort, rawId] = decodeCursor(page.cursor, 2);
      const id = checkedId(rawId);
      qb.andWhere(`(${opts.sortColumn}, ${opts.idColumn}) ${cmp} (:__sort, :__id)`, {
        __sort: sort,
        __id: id,
      });
    } else {
      const id = checkedId(decodeCursor(page.cursor, 1)[0]);
      qb.andWhere(`${opts.idColumn} ${cmp} :__id`, { __id: id });
    }
  }
  if (opts.sortColumn) qb.orderBy(opts.sortColumn, dir).addOrderBy(opts.idColumn, dir);
  else qb.orderBy(opts.idColumn, dir);
  const rows = await qb.limit(limit + 1).getMany();
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(opts.keyOf(items[items.length - 1])) : null;
  return { items, nextCursor };
}
