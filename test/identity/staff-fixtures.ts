import { randomInt, randomUUID } from 'node:crypto';
import { RequestContext } from '../../src/api/context/request-context';
import { Account, AccountKind, AccountStatus } from '../../src/modules/platform/identity/account.entity';
import { AccessTokenService } from '../../src/modules/platform/identity/access-token.service';
import { PasswordService } from '../../src/modules/platform/identity/auth/password.service';
import { RefreshTokensService } from '../../src/modules/platform/identity/auth/refresh-tokens.service';
import { holdsSecondFactorRole } from '../../src/modules/platform/identity/auth/second-factor';
import {
  PersonalDataService,
  PersonalField,
} from '../../src/modules/platform/identity/personal-data/personal-data.service';
import { RoleAssignment } from '../../src/modules/platform/identity/staff/role-assignment.entity';
import { RoleName, secondFactorRoles } from '../../src/modules/platform/identity/staff/role-catalogue';
import { totpCode } from '../../src/modules/platform/identity/staff/totp';
import {
  OrganisationKind,
  Region,
  RegionLevel,
} from '../../src/modules/platform/organisations/organisation.entity';
import { OrganisationsService } from '../../src/modules/platform/organisations/organisations.service';
import type { TestApp } from '../support/test-app';

/**
 * Real staff and citizen accounts for identity tests: rows in the database with real role
 * assignments, signed in through POST /v1/auth/login (or, where that route is not mounted, given a
 * token minted for the real account, so the PrincipalService still loads its real grants).
 */

export const FIXTURE_PASSWORD = 'Fixture#Pass-2026';
export const TEST_REGION = '990000';

export const uniq = (): string => randomUUID().replace(/-/g, '').slice(0, 12);
export const auth = (token: string): Record<string, string> => ({ Authorization: `Bearer ${token}` });

let hash: Promise<string> | undefined;
const passwordHash = (t: TestApp) => (hash ??= t.app.get(PasswordService).hash(FIXTURE_PASSWORD));

export async function ensureRegion(t: TestApp): Promise<void> {
  await t.db
    .repo(Region)
    .createQueryBuilder()
    .insert()
    .values({
      code: TEST_REGION,
      name: '演示省',
      nameEn: 'Demo Province',
      level: RegionLevel.Province,
      parentCode: null,
    })
    .orIgnore()
    .execute();
}

/** A unit (with its closure rows) below `parentId`, or a new top-level agency. */
export async function makeUnit(t: TestApp, name: string, parentId: string | null = null): Promise<string> {
  await ensureRegion(t);
  const org = await t.app.get(OrganisationsService).create(RequestContext.system('test'), {
    name: `${name}-${uniq()}`,
    kind: parentId ? OrganisationKind.Department : OrganisationKind.Agency,
    regionCode: TEST_REGION,
    parentId: parentId ?? undefined,
  });
  return org.id;
}

export interface RoleSpec {
  role: RoleName;
  unit: string | null;
  validFrom?: Date | null;
  validUntil?: Date | null;
}

export interface Person {
  id: string;
  login: string;
}

export async function makeStaff(t: TestApp, home: string, roles: RoleSpec[] = []): Promise<Person> {
  const username = `s.${uniq()}`;
  const account = await t.db.repo(Account).save(
    t.db.repo(Account).create({
      kind: AccountKind.Staff,
      status: AccountStatus.Active,
      username,
      displayName: `测试员 ${username}`,
      organisationId: home,
      passwordHash: await passwordHash(t),
    }),
  );
  for (const r of roles) await grant(t, account.id, r);
  return { id: account.id, login: username };
}

export async function grant(t: TestApp, accountId: string, r: RoleSpec): Promise<string> {
  const row = await t.db.repo(RoleAssignment).save(
    t.db.repo(RoleAssignment).create({
      accountId,
      role: r.role,
      organisationId: r.unit,
      validFrom: r.validFrom ?? null,
      validUntil: r.validUntil ?? null,
      grantedBy: null,
    }),
  );
  return row.id;
}

export async function makeCitizen(t: TestApp): Promise<Person> {
  const phone = `197${String(randomInt(0, 100_000_000)).padStart(8, '0')}`;
  const account = await t.db.repo(Account).save(
    t.db.repo(Account).create({
      kind: AccountKind.Citizen,
      status: AccountStatus.Active,
      phone,
      displayName: '测试市民',
      passwordHash: await passwordHash(t),
    }),
  );
  return { id: account.id, login: phone };
}

/** the authenticator of fixture staff whose roles need a second factor (see secondFactorFor) */
export const FIXTURE_TOTP_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

/**
 * The TOTP code to sign the person in with, when a role of theirs needs a second factor: they are
 * given the fixture authenticator, as their administrator would insist. The replay guard is reset
 * because fixtures sign one person in several times within a 30-second step (the guard itself is
 * tested in auth.e2e-spec).
 */
export async function secondFactorFor(t: TestApp, person: Person): Promise<string | undefined> {
  const roles = secondFactorRoles(t.config.secondFactorRoles);
  if (!(await holdsSecondFactorRole(t.db, person.id, roles))) return undefined;
  await enrolFixtureTotp(t, person.id);
  return totpCode(FIXTURE_TOTP_SECRET);
}

/**
 * Gives the account the fixture authenticator (unless it has one), as if enrolled and confirmed:
 * for tests that grant a role needing a second factor to someone already signed in.
 */
export async function enrolFixtureTotp(t: TestApp, accountId: string): Promise<void> {
  const secret = t.app.get(PersonalDataService).encrypt(PersonalField.TotpSecret, FIXTURE_TOTP_SECRET);
  await t.db.query(
    'UPDATE account SET totp_secret_enc = COALESCE(totp_secret_enc, $2), totp_last_step = NULL WHERE id = $1',
    [accountId, secret],
  );
}

/** Signs the person in through the login endpoint when it is mounted; else opens a session and mints a token for the real account. */
export async function signIn(t: TestApp, person: Person, kind: 'staff' | 'citizen'): Promise<string> {
  const totp = await secondFactorFor(t, person);
  const res = await t.http
    .post('/v1/auth/login')
    .send({ login: person.login, password: FIXTURE_PASSWORD, totp });
  if (res.status === 200) return res.body.accessToken as string;
  if (res.status !== 404) throw new Error(`login of ${person.login} failed: ${res.status} ${res.text}`);
  const sid = await t.app.get(RefreshTokensService).openSession(RequestContext.system('test'), person.id);
  return (await t.app.get(AccessTokenService).issue({ sub: person.id, kind, sid })).token;
}

/**
 * Staff who are made and signed in on demand, their tokens kept by account: `person` creates one
 * (see makeStaff) and `tok` gives the Authorization header for them. `app` is read at call time, so
 * the helper can be made before beforeAll starts the app.
 */
export function signedInStaff(app: () => TestApp): {
  person(home: string, roles?: RoleSpec[]): Promise<Person>;
  tok(p: Person): Record<string, string>;
} {
  const tokens = new Map<string, string>();
  return {
    async person(home, roles = []) {
      const p = await makeStaff(app(), home, roles);
      tokens.set(p.id, await signIn(app(), p, 'staff'));
      return p;
    },
    tok: (p) => auth(tokens.get(p.id)!),
  };
}

/**
 * Signs in one caller per entry (staff: home unit, one role in a unit or everywhere; then the
 * citizens) and records each person and its Authorization header under the caller's name: the
 * cast of a permission matrix.
 */
export async function signInCast<C extends string>(
  t: TestApp,
  staff: ReadonlyArray<[C, string, RoleName, string | null]>,
  citizens: readonly C[],
  people: Map<C, Person>,
  creds: Map<C, Record<string, string>>,
): Promise<void> {
  for (const [caller, home, role, unit] of staff) {
    const p = await makeStaff(t, home, [{ role, unit }]);
    people.set(caller, p);
    creds.set(caller, auth(await signIn(t, p, 'staff')));
  }
  for (const caller of citizens) {
    const p = await makeCitizen(t);
    people.set(caller, p);
    creds.set(caller, auth(await signIn(t, p, 'citizen')));
  }
}
