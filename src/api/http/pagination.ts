import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import type { ObjectLiteral, QueryRunner, SelectQueryBuilder } from 'typeorm';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

export const MAX_PAGE_SIZE = 100;

/** What a cursor looks like on the wire (base64url, as CursorCodec.encode writes it). */
export const CURSOR_PATTERN = /^[A-Za-z0-9_-]+$/;
export const CURSOR_MAX_LENGTH = 512;

/** `?limit=&cursor=` on every list; limit is capped, the cursor is opaque. */
export class PageQuery {
  @ApiPropertyOptional({
    type: 'integer',
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
    maxLength: CURSOR_MAX_LENGTH,
    pattern: CURSOR_PATTERN.source,
    description: 'opaque cursor from the previous page (nextCursor or Link rel="next")',
  })
  @IsOptional()
  @IsString()
  @MaxLength(CURSOR_MAX_LENGTH)
  @Matches(CURSOR_PATTERN)
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  /** null on the last page */
  nextCursor: string | null;
  /**
   * Counts every row the list's filters match (ignoring the cursor and page size), when called:
   * one COUNT over the same query. GraphQL's `totalCount` calls it only when the field is selected.
   */
  count?: () => Promise<number>;
}

export type CursorValue = string | number;

/**
 * What one component of a cursor may hold. Every component is checked before it reaches SQL, so a
 * forged or damaged cursor is 400 INVALID_CURSOR, never a SQL error (a 500):
 * - `uuid`: a UUID, as every table's id;
 * - `seq`: a non-negative decimal of at most 18 digits (so within a bigint), as text (the audit
 *   log's sequence);
 * - `int`: an integer that fits an int4;
 * - `instant`: a UTC timestamp `YYYY-MM-DDTHH:MM:SS[.ffffff]Z` naming a real date, years 1 to 9999;
 * - `instant|infinity`: the same, or `infinity` (a sort key of COALESCE(deadline, 'infinity'));
 * - `{ oneOf }`: one of the listed values (an enum, a rank).
 */
export type CursorPart =
  'uuid' | 'seq' | 'int' | 'instant' | 'instant|infinity' | { oneOf: readonly CursorValue[] };

const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SEQ_TEXT = /^(?:0|[1-9]\d{0,17})$/;
const INSTANT_TEXT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d{1,6})?Z$/;
const INT4_MIN = -(2 ** 31);
const INT4_MAX = 2 ** 31 - 1;

/** A real instant PostgreSQL holds: 2025-99-99 or 2026-02-30 would fail in SQL, so a 500. */
function isInstant(v: unknown): boolean {
  const m = typeof v === 'string' ? INSTANT_TEXT.exec(v) : null;
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (year < 1 || hour > 23 || minute > 59 || second > 59) return false;
  // Date rolls an impossible day (02-30) over into the next month; a real date survives the round trip.
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getUTCFullYear() === year && d.getUTCMonth() === month - 1 && d.getUTCDate() === day;
}

function fits(part: CursorPart, v: unknown): boolean {
  if (typeof part === 'object') return part.oneOf.includes(v as CursorValue);
  switch (part) {
    case 'uuid':
      return typeof v === 'string' && UUID_TEXT.test(v);
    case 'seq':
      return typeof v === 'string' && SEQ_TEXT.test(v);
    case 'int':
      return typeof v === 'number' && Number.isInteger(v) && v >= INT4_MIN && v <= INT4_MAX;
    case 'instant':
      return isInstant(v);
    case 'instant|infinity':
      return v === 'infinity' || isInstant(v);
  }
}

const CURSOR_TEXT = /^[A-Za-z0-9_-]{1,512}$/;

/**
 * The one codec of a keyset list's cursors, shared by REST (`?cursor=`) and GraphQL (`after:`).
 * A cursor is `[list, ...values]` as base64url JSON: the list name makes a cursor taken from
 * another list, or from another sort of the same list, INVALID_CURSOR rather than a silent jump;
 * each value is checked against its part. Declare one per list (and per sort) next to its query:
 *
 *   export const ORGANISATION_CURSOR = cursorCodec('organisations', 'uuid');
 */
export class CursorCodec<V extends CursorValue[]> {
  constructor(
    readonly list: string,
    readonly parts: readonly CursorPart[],
  ) {}

  encode(values: V): string {
    return Buffer.from(JSON.stringify([this.list, ...values])).toString('base64url');
  }

  /** The values of a cursor this list issued, or 400 INVALID_CURSOR for anything else. */
  decode(cursor: string): V {
    let decoded: unknown;
    try {
      if (CURSOR_TEXT.test(cursor)) decoded = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    } catch {
      // not JSON: refused below
    }
    if (
      !Array.isArray(decoded) ||
      decoded.length !== this.parts.length + 1 ||
      decoded[0] !== this.list ||
      !this.parts.every((part, i) => fits(part, decoded[i + 1]))
    )
      throw new DomainError(ErrorCode.InvalidCursor);
    return decoded.slice(1) as V;
  }
}

const CODECS = new Map<string, CursorCodec<CursorValue[]>>();

/** Declares a list's codec. Names are unique, so no list takes another's cursor for its own. */
export function cursorCodec<V extends CursorValue[]>(list: string, ...parts: CursorPart[]): CursorCodec<V> {
  if (CODECS.has(list)) throw new Error(`two keyset lists are named "${list}"`);
  const codec = new CursorCodec<V>(list, parts);
  CODECS.set(list, codec);
  return codec;
}

/** Every declared list's codec by name (tests and the fuzzer forge cursors from them). */
export function cursorCodecs(): ReadonlyMap<string, CursorCodec<CursorValue[]>> {
  return CODECS;
}

/** A keyset's cursor values: [sort key, id] with a sortColumn, [id] without. */
type KeysetValues = [CursorValue, string] | [string];

export interface KeysetOptions<T, V extends KeysetValues> {
  /** SQL expression of the sort key, e.g. `o.name`; ties are broken by `idColumn` */
  sortColumn?: string;
  idColumn: string;
  /** the list's codec, which checks every value of a cursor before it reaches SQL */
  cursor: CursorCodec<V>;
  direction?: 'ASC' | 'DESC';
  /** reads the sort key and id back from an item to build the next cursor */
  keyOf: (item: T) => V;
}

/**
 * Keyset pagination over (sort key, id): stable under inserts, no OFFSET scans. Fetches one row
 * more than asked to know whether a next page exists.
 */
export async function keysetPage<T extends ObjectLiteral, V extends KeysetValues>(
  qb: SelectQueryBuilder<T>,
  page: PageQuery,
  opts: KeysetOptions<T, V>,
): Promise<Page<T>> {
  const limit = page.limit ?? 20;
  const dir = opts.direction ?? 'ASC';
  const cmp = dir === 'ASC' ? '>' : '<';
  if (opts.cursor.parts.length !== (opts.sortColumn ? 2 : 1))
    throw new Error(`cursor codec "${opts.cursor.list}" does not match its keyset`);
  // The filters only, before the cursor and the page size narrow the query. It runs later (if at
  // all), when a list read in a transaction has committed, so on a connection of its own.
  const counter = qb.clone().setQueryRunner(undefined as unknown as QueryRunner);
  if (page.cursor) {
    const values = opts.cursor.decode(page.cursor);
    if (opts.sortColumn) {
      qb.andWhere(`(${opts.sortColumn}, ${opts.idColumn}) ${cmp} (:__sort, :__id)`, {
        __sort: values[0],
        __id: values[1],
      });
    } else {
      qb.andWhere(`${opts.idColumn} ${cmp} :__id`, { __id: values[0] });
    }
  }
  if (opts.sortColumn) qb.orderBy(opts.sortColumn, dir).addOrderBy(opts.idColumn, dir);
  else qb.orderBy(opts.idColumn, dir);
  const rows = await qb.limit(limit + 1).getMany();
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? opts.cursor.encode(opts.keyOf(items[items.length - 1])) : null;
  // Memoized: a page kept in a read cache counts once, however many callers ask.
  let total: Promise<number> | undefined;
  return { items, nextCursor, count: () => (total ??= counter.getCount()) };
}
