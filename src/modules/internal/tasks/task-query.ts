import type { SelectQueryBuilder } from 'typeorm';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { CursorCodec, cursorCodec, CursorValue } from '../../../api/http/pagination';
import { UUID_RE } from '../../../database/uuid';
import { Service } from '../../public/catalog/service.entity';
import { Account } from '../../platform/identity/account.entity';
import { scopeCondition } from '../../platform/identity/staff/unit-scope';
import { Organisation } from '../../platform/organisations/organisation.entity';
import type { CaseRecords } from '../workflow/case-records.service';
import { CaseTask, TaskStatus } from '../workflow/case.entity';
import { WarningLight } from '../workflow/dto/case.dto';
import { TaskDto, TaskSort } from './dto/task.dto';

/** The permissions a task can ask for: its candidates hold one of them in its unit or above. */
export const TASK_PERMISSIONS = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
] as const;
/** Who oversees a unit's queue: sees every task in scope, whatever its permission. */
export const OVERSIGHT_PERMISSIONS = [Permission.CaseAssign, Permission.CaseSupervise];
export const QUEUE_PERMISSIONS = [...TASK_PERMISSIONS, ...OVERSIGHT_PERMISSIONS];

export const isTaskPermission = (p: string): p is (typeof TASK_PERMISSIONS)[number] =>
  (TASK_PERMISSIONS as readonly string[]).includes(p);

/** The staff account behind the caller, when it is one (synthetic test callers may carry other ids). */
export const staffId = (ctx: RequestContext): string | null =>
  ctx.actor.kind === 'staff' && ctx.actor.id && UUID_RE.test(ctx.actor.id) ? ctx.actor.id : null;

/**
 * The tasks a caller may see, as SQL on alias `t`: assigned to them; or asking for a permission
 * they hold in the task's unit or above; or in a unit they oversee (case:assign, case:supervise).
 */
export function visibleTasks(ctx: RequestContext): { sql: string; params: Record<string, unknown> } {
  const parts: string[] = [];
  const params: Record<string, unknown> = {};
  const me = staffId(ctx);
  if (me) {
    parts.push('t.assignee_id = :vMe');
    params.vMe = me;
  }
  TASK_PERMISSIONS.forEach((p, i) => {
    const scope = scopeCondition(ctx, [p], 't.organisation_id', `vScope${i}`);
    params[`vPerm${i}`] = p;
    if (!scope) parts.push(`t.permission = :vPerm${i}`);
    else if (Object.keys(scope.params).length) {
      parts.push(`(t.permission = :vPerm${i} AND ${scope.sql})`);
      Object.assign(params, scope.params);
    }
  });
  const oversight = scopeCondition(ctx, OVERSIGHT_PERMISSIONS, 't.organisation_id', 'vScopeOversee');
  if (!oversight) parts.push('TRUE');
  else if (Object.keys(oversight.params).length) {
    parts.push(oversight.sql);
    Object.assign(params, oversight.params);
  }
  return { sql: parts.length ? `(${parts.join(' OR ')})` : '1 = 0', params };
}

const DUE_KEY = "COALESCE(t.due_at, 'infinity'::timestamptz)";
const RANK_KEY = "(CASE t.warning_level WHEN 'red' THEN 0 WHEN 'yellow' THEN 1 ELSE 2 END)";
/** Timestamps travel in cursors as text with microseconds, so a page boundary never loses a row. */
const iso = (expr: string) =>
  `(CASE WHEN ${expr} = 'infinity'::timestamptz THEN 'infinity' ELSE to_char(${expr} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') END)`;

interface SortSpec {
  /** each sort has its own codec, so a cursor from one sort is refused by another */
  cursor: CursorCodec<CursorValue[]>;
  /** SQL expressions of the key, compared as a row with t.id */
  keys: string[];
  /** how each key is cast back from the cursor */
  casts: Array<'timestamptz' | 'int'>;
  direction: 'ASC' | 'DESC';
}

const SORTS: Record<TaskSort, SortSpec> = {
  [TaskSort.DueAt]: {
    cursor: cursorCodec('tasks-by-deadline', 'instant|infinity', 'uuid'),
    keys: [DUE_KEY],
    casts: ['timestamptz'],
    direction: 'ASC',
  },
  [TaskSort.NewestFirst]: {
    cursor: cursorCodec('tasks-newest-first', 'instant', 'uuid'),
    keys: ['t.created_at'],
    casts: ['timestamptz'],
    direction: 'DESC',
  },
  [TaskSort.Warning]: {
    cursor: cursorCodec('tasks-by-warning', { oneOf: [0, 1, 2] }, 'instant|infinity', 'uuid'),
    keys: [RANK_KEY, DUE_KEY],
    casts: ['int', 'timestamptz'],
    direction: 'ASC',
  },
};

/** Selects everything a TaskDto needs: the case, its service, the unit and the assignee's name. */
export function taskSelect(
  records: CaseRecords,
  sort: TaskSort = TaskSort.DueAt,
): SelectQueryBuilder<CaseTask> {
  const spec = SORTS[sort];
  const qb = records
    .tasks()
    .leftJoin(Service, 's', 's.id = c.service_id')
    .leftJoin(Organisation, 'o', 'o.id = t.organisation_id')
    .leftJoin(Account, 'a', 'a.id = t.assignee_id')
    .select('t.id', 'id')
    .addSelect('t.case_id', 'case_id')
    .addSelect('c.number', 'case_number')
    .addSelect('c.service_id', 'service_id')
    .addSelect('c.case_type', 'case_type')
    .addSelect('s.title_zh', 'title_zh')
    .addSelect('s.title_en', 'title_en')
    .addSelect('t.stage', 'stage')
    .addSelect('t.kind', 'kind')
    .addSelect('t.level', 'level')
    .addSelect('t.organisation_id', 'unit_id')
    .addSelect('o.name', 'unit_name')
    .addSelect('o.name_en', 'unit_name_en')
    .addSelect('t.permission', 'permission')
    .addSelect('t.assignee_id', 'assignee_id')
    .addSelect('a.display_name', 'assignee_name')
    .addSelect('t.status', 'status')
    .addSelect('t.due_at', 'due_at')
    .addSelect('t.warning_level', 'warning_level')
    .addSelect('c.due_at', 'case_due_at')
    .addSelect('c.warning_level', 'case_warning_level')
    .addSelect('t.created_at', 'created_at')
    .addSelect('t.claimed_at', 'claimed_at')
    .addSelect('t.completed_at', 'completed_at')
    .addSelect('t.version', 'version');
  spec.keys.forEach((k, i) => qb.addSelect(spec.casts[i] === 'int' ? k : iso(k), `sort_key_${i}`));
  return qb;
}

export interface TaskRow {
  id: string;
  case_id: string;
  case_number: string;
  service_id: string | null;
  case_type: string;
  title_zh: string | null;
  title_en: string | null;
  stage: string;
  kind: string;
  level: number;
  unit_id: string;
  unit_name: string | null;
  unit_name_en: string | null;
  permission: string;
  assignee_id: string | null;
  assignee_name: string | null;
  status: TaskStatus;
  due_at: Date | null;
  warning_level: string;
  case_due_at: Date | null;
  case_warning_level: string;
  created_at: Date;
  claimed_at: Date | null;
  completed_at: Date | null;
  version: number;
  [sortKey: `sort_key_${number}`]: string | number;
}

/** Continues after the cursor's row and orders by the sort's keys, then id. */
export function applyKeyset(qb: SelectQueryBuilder<CaseTask>, sort: TaskSort, cursor?: string): void {
  const spec = SORTS[sort];
  if (cursor) {
    // The codec has checked every value (rank, real instant, uuid) before it reaches SQL.
    const keys = spec.cursor.decode(cursor);
    const params: Record<string, unknown> = { kId: keys.pop() };
    const placeholders = keys.map((v, i) => {
      params[`k${i}`] = v;
      return spec.casts[i] === 'int' ? `CAST(:k${i} AS int)` : `CAST(:k${i} AS timestamptz)`;
    });
    const cmp = spec.direction === 'ASC' ? '>' : '<';
    qb.andWhere(
      `(${[...spec.keys, 't.id'].join(', ')}) ${cmp} (${[...placeholders, ':kId'].join(', ')})`,
      params,
    );
  }
  spec.keys.forEach((k, i) => (i === 0 ? qb.orderBy(k, spec.direction) : qb.addOrderBy(k, spec.direction)));
  qb.addOrderBy('t.id', spec.direction);
}

export function cursorOf(row: TaskRow, sort: TaskSort): string {
  const spec = SORTS[sort];
  return spec.cursor.encode([...spec.keys.map((_, i) => row[`sort_key_${i}`]), row.id]);
}

const instant = (d: Date | string | null): string | null => (d === null ? null : new Date(d).toISOString());

export function toTaskDto(ctx: RequestContext, r: TaskRow): TaskDto {
  const en = ctx.language === 'en';
  return {
    id: r.id,
    caseId: r.case_id,
    caseNumber: r.case_number,
    service: r.service_id
      ? { id: r.service_id, title: (en ? r.title_en : null) ?? r.title_zh ?? r.title_en ?? null }
      : null,
    caseType: r.case_type,
    stage: r.stage,
    kind: r.kind,
    level: Number(r.level),
    candidateUnit: { id: r.unit_id, name: (en ? r.unit_name_en : null) ?? r.unit_name ?? '' },
    permission: r.permission,
    assignee: r.assignee_id ? { id: r.assignee_id, displayName: r.assignee_name } : null,
    status: r.status,
    dueAt: instant(r.due_at),
    warningLevel: r.warning_level as WarningLight,
    caseDueAt: instant(r.case_due_at),
    caseWarningLevel: r.case_warning_level as WarningLight,
    createdAt: instant(r.created_at)!,
    claimedAt: instant(r.claimed_at),
    completedAt: instant(r.completed_at),
    version: Number(r.version),
  };
}
