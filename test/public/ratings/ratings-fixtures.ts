import { randomUUID } from 'node:crypto';
import { RoleName } from '../../../src/modules/platform/identity/staff/role-catalogue';
import { RatingTargets } from '../../../src/modules/public/ratings/rating-target';
import { auth, makeCitizen, makeStaff, makeUnit, Person, signIn } from '../../identity/staff-fixtures';
import type { TestApp } from '../../support/test-app';

/** A test-only rateable kind: items kept in a table of the spec's own, handled when the spec says. */
export const TEST_KIND = 'spec_item';
const TABLE = 'ratings_spec_item';

export async function registerTestTarget(t: TestApp): Promise<void> {
  await t.db.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (id text PRIMARY KEY, rater uuid, unit uuid NOT NULL, handler uuid,
       handled_at timestamptz)`,
  );
  const targets = t.app.get(RatingTargets);
  if (targets.get(TEST_KIND)) return;
  targets.register({
    kind: TEST_KIND,
    title: { 'zh-CN': '测试事项', en: 'Test item' },
    load: async (id) => {
      const [row] = await t.db.query<{
        id: string;
        rater: string | null;
        unit: string;
        handler: string | null;
        handled_at: Date | null;
      }>(`SELECT * FROM ${TABLE} WHERE id = $1`, [id]);
      return row
        ? {
            kind: TEST_KIND,
            id: row.id,
            raterAccountId: row.rater,
            organisationId: row.unit,
            serviceId: null,
            handlerAccountId: row.handler,
            handledAt: row.handled_at,
            title: { 'zh-CN': `测试事项 ${row.id}`, en: `Test item ${row.id}` },
          }
        : null;
    },
    handledBeforeSql: `SELECT i.id, i.rater AS rater_account_id, i.unit AS organisation_id, NULL::uuid AS service_id,
        i.handler AS handler_account_id, i.handled_at FROM ${TABLE} i WHERE i.handled_at < $1`,
  });
}

export async function dropTestTarget(t: TestApp): Promise<void> {
  await t.db.query(`DROP TABLE IF EXISTS ${TABLE}`);
}

/** An item of the test kind, handled `daysAgo` days ago (null: not handled yet). */
export async function testItem(
  t: TestApp,
  o: { rater: string | null; unit: string; handler?: string | null; daysAgo?: number | null },
): Promise<string> {
  const id = `item-${randomUUID()}`;
  const handledAt = o.daysAgo === null ? null : new Date(Date.now() - (o.daysAgo ?? 0) * 86_400_000 - 1000);
  await t.db.query(
    `INSERT INTO ${TABLE} (id, rater, unit, handler, handled_at) VALUES ($1, $2, $3, $4, $5)`,
    [id, o.rater, o.unit, o.handler ?? null, handledAt],
  );
  return id;
}

export interface Cast {
  unit: string;
  otherUnit: string;
  clerk: Person;
  clerkAuth: Record<string, string>;
  otherClerkAuth: Record<string, string>;
  supervisor: Person;
  supervisorAuth: Record<string, string>;
  otherSupervisorAuth: Record<string, string>;
  rater: Person;
  raterAuth: Record<string, string>;
  otherCitizenAuth: Record<string, string>;
}

/** Two units, a clerk and a supervisor in each, a rater and another citizen. */
export async function cast(t: TestApp): Promise<Cast> {
  const root = await makeUnit(t, '评价市局');
  const unit = await makeUnit(t, '评价甲窗口', root);
  const otherUnit = await makeUnit(t, '评价乙窗口', root);
  const staffIn = async (home: string, role: RoleName) => {
    const p = await makeStaff(t, home, [{ role, unit: home }]);
    return { p, h: auth(await signIn(t, p, 'staff')) };
  };
  const clerk = await staffIn(unit, RoleName.Clerk);
  const otherClerk = await staffIn(otherUnit, RoleName.Clerk);
  const supervisor = await staffIn(unit, RoleName.Supervisor);
  const otherSupervisor = await staffIn(otherUnit, RoleName.Supervisor);
  const rater = await makeCitizen(t);
  const other = await makeCitizen(t);
  return {
    unit,
    otherUnit,
    clerk: clerk.p,
    clerkAuth: clerk.h,
    otherClerkAuth: otherClerk.h,
    supervisor: supervisor.p,
    supervisorAuth: supervisor.h,
    otherSupervisorAuth: otherSupervisor.h,
    rater,
    raterAuth: auth(await signIn(t, rater, 'citizen')),
    otherCitizenAuth: auth(await signIn(t, other, 'citizen')),
  };
}
