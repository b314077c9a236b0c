import { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { Account, AccountKind, AccountStatus } from '../identity/account.entity';
import { RoleAssignment } from '../identity/staff/role-assignment.entity';
import { RoleName } from '../identity/staff/role-catalogue';
import { Organisation, OrganisationKind } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';

/** A demo unit, keyed for the seed; `parent` is another unit's key. */
export interface DemoUnit {
  key: string;
  name: string;
  nameEn: string;
  kind: OrganisationKind;
  regionCode: string;
  parent?: string;
  uscc?: string;
}

/**
 * Finds or creates each unit (by name and region under the same parent, so the seed is
 * idempotent) and records its id under its key in `units`; parents come before children.
 */
export async function ensureUnits(
  organisations: OrganisationsService,
  db: Db,
  ctx: RequestContext,
  specs: readonly DemoUnit[],
  units: Map<string, string>,
): Promise<void> {
  for (const u of specs) {
    const parentId = u.parent ? units.get(u.parent)! : null;
    const existing = await db
      .repo(Organisation)
      .createQueryBuilder('o')
      .where('o.name = :name AND o.region_code = :region', { name: u.name, region: u.regionCode })
      .andWhere(parentId ? 'o.parent_id = :parentId' : 'o.parent_id IS NULL', { parentId })
      .getOne();
    const id =
      existing?.id ??
      (
        await organisations.create(ctx, {
          name: u.name,
          nameEn: u.nameEn,
          kind: u.kind,
          regionCode: u.regionCode,
          parentId: parentId ?? undefined,
          uscc: u.uscc,
        })
      ).id;
    units.set(u.key, id);
  }
}

/**
 * Finds or creates a demo staff account (by username, homed in the unit keyed `home`) and gives it
 * each role it lacks, in the unit keyed `unit` (null: everywhere). Returns the account id.
 */
export async function ensureStaff(
  db: Db,
  s: { username: string; displayName: string; home: string },
  roles: ReadonlyArray<{ role: RoleName; unit: string | null }>,
  units: Map<string, string>,
  passwordHash: () => Promise<string>,
): Promise<string> {
  let account = await db.repo(Account).findOne({ where: { username: s.username } });
  account ??= await db.repo(Account).save(
    db.repo(Account).create({
      kind: AccountKind.Staff,
      status: AccountStatus.Active,
      username: s.username,
      displayName: s.displayName,
      organisationId: units.get(s.home)!,
      passwordHash: await passwordHash(),
    }),
  );
  for (const { role, unit } of roles) {
    const unitId = unit ? units.get(unit)! : null;
    const held = await db.query(
      'SELECT 1 FROM role_assignment WHERE account_id = $1 AND role = $2 AND organisation_id IS NOT DISTINCT FROM $3',
      [account.id, role, unitId],
    );
    if (held.length) continue;
    await db.repo(RoleAssignment).insert(
      db.repo(RoleAssignment).create({
        accountId: account.id,
        role,
        organisationId: unitId,
        validFrom: null,
        validUntil: null,
        grantedBy: null,
      }),
    );
  }
  return account.id;
}
