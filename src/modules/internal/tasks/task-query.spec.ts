import { Permission } from '../../../api/auth/permission';
import { RequestContext } from '../../../api/context/request-context';
import { TaskSort } from './dto/task.dto';
import { applyKeyset, visibleTasks } from './task-query';

const staff = (
  grants: Array<[Permission, Set<string> | '*']>,
  id = '01900000-0000-7000-8000-000000000001',
) => {
  const ctx = new RequestContext('test');
  ctx.actor = { kind: 'staff', id, grants: new Map(grants) };
  return ctx;
};

/** A cursor as the API encodes one: base64url JSON, the list's name first. */
const cursor = (values: unknown[]) => Buffer.from(JSON.stringify(values)).toString('base64url');

/** Records what applyKeyset asks of the query builder. */
function fakeQb() {
  const calls: Array<[string, unknown?]> = [];
  const qb = {
    andWhere: (sql: string, params?: unknown) => (calls.push([sql, params]), qb),
    orderBy: (sql: string) => (calls.push([`order ${sql}`]), qb),
    addOrderBy: (sql: string) => (calls.push([`then ${sql}`]), qb),
  };
  return { qb: qb as never, calls };
}

describe('visibleTasks', () => {
  it('matches only assigned tasks for staff without case permissions', () => {
    const v = visibleTasks(staff([]));
    expect(v.sql).toBe('(t.assignee_id = :vMe)');
  });

  it('ties each permission to its own units, and oversight to any permission', () => {
    const v = visibleTasks(
      staff([
        [Permission.CaseHandle, new Set(['u1'])],
        [Permission.CaseAssign, new Set(['u2'])],
      ]),
    );
    expect(v.sql).toContain('(t.permission = :vPerm0 AND t.organisation_id IN');
    expect(v.sql).not.toContain(':vPerm1 AND');
    expect(v.params).toMatchObject({ vScope0: ['u1'], vScopeOversee: ['u2'], vPerm0: 'case:handle' });
  });

  it('matches nothing for a caller who is neither staff nor holds a permission', () => {
    const ctx = new RequestContext('test');
    expect(visibleTasks(ctx).sql).toBe('1 = 0');
  });

  it('ignores a non-UUID actor id instead of sending it to SQL', () => {
    expect(visibleTasks(staff([], 'not-a-uuid')).sql).toBe('1 = 0');
  });
});

describe('applyKeyset', () => {
  const id = '01900000-0000-7000-8000-000000000002';

  it('orders by the sort keys then id, and continues after a cursor of the same sort', () => {
    const { qb, calls } = fakeQb();
    applyKeyset(qb, TaskSort.Warning, cursor(['tasks-by-warning', 0, 'infinity', id]));
    expect(calls[0][0]).toMatch(
      /^\(\(CASE .*\), COALESCE\(t\.due_at.*\), t\.id\) > \(CAST\(:k0 AS int\), CAST\(:k1 AS timestamptz\), :kId\)$/,
    );
    expect(calls[0][1]).toEqual({ k0: 0, k1: 'infinity', kId: id });
    expect(calls.slice(1).map((c) => c[0].split(' ')[0])).toEqual(['order', 'then', 'then']);
  });

  it.each([
    ['another sort', ['tasks-by-deadline', '2026-01-01T00:00:00.000000Z', id]],
    ['a key that is not an instant', ['tasks-newest-first', "2026' OR 1=1", id]],
    ['a day that does not exist', ['tasks-newest-first', '2026-02-30T00:00:00.000000Z', id]],
    ['infinity where no deadline is', ['tasks-newest-first', 'infinity', id]],
    ['a rank out of range', ['tasks-by-warning', 7, 'infinity', id]],
    ['an id that is not a UUID', ['tasks-newest-first', '2026-01-01T00:00:00.000000Z', '1; DROP']],
  ])('refuses %s', (_, values) => {
    const { qb } = fakeQb();
    const sort = values[0] === 'tasks-by-warning' ? TaskSort.Warning : TaskSort.NewestFirst;
    expect(() => applyKeyset(qb, sort, cursor(values))).toThrow('INVALID_CURSOR');
  });
});
