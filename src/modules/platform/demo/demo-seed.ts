import { EventDeliveryWorker } from '../events/event-delivery.worker';
import { JobWorker } from '../jobs/job-worker.service';
import type { INestApplication } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import { RequestContext } from '../../../api/context/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { Account, AccountKind, AccountStatus } from '../identity/account.entity';
import { PasswordService } from '../identity/auth/password.service';
import { ApiKey } from '../identity/clients/api-key.entity';
import { sha256Hex } from '../identity/clients/machine-scopes';
import { OAuthClient } from '../identity/clients/oauth-client.entity';
import { IdentityAssurance, IdentityVerifiedBy } from '../identity/identity-assurance';
import { maskNationalId } from '../identity/personal-data/masking';
import { uniformCodeCheckChar } from '../identity/personal-data/national-id';
import { PersonalDataService, PersonalField } from '../identity/personal-data/personal-data.service';
import { RoleName, secondFactorRoles } from '../identity/staff/role-catalogue';
import { OrganisationKind, Region, RegionLevel } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { demoSeeders } from './demo-registry';
import { DemoUnit, ensureStaff, ensureUnits } from './demo-upsert';

export interface DemoSummary {
  /** `totpSecret`: the demo authenticator of accounts whose role needs a second factor */
  accounts: { role: string; login: string; password: string; totpSecret?: string }[];
}

/** Published on purpose: these credentials exist only on development instances. */
export const DEMO_PASSWORD = 'Demo#2026';
export const DEMO_CLIENT_ID = 'owc_demo_city_market_regulator';
export const DEMO_CLIENT_SECRET = 'ows_demo-client-secret-for-development-only';
export const DEMO_API_KEY = 'owk_demo0001_DEMO-api-key-for-development-only-public-00';
/**
 * The authenticator of demo staff whose role needs a second factor (admin, market.admin): add it
 * to an authenticator app, or compute codes with `oathtool --totp -b <secret>`.
 */
export const DEMO_TOTP_SECRET = 'ONEWINDOWDEMOTOTPSECRETDEVONLY22';

/** Every demo login that carries DEMO_PASSWORD (the production start refuses any still holding it). */
export function demoLogins(): string[] {
  return [
    ...STAFF.map((s) => s.username),
    ...demoSeeders().flatMap((s) => s.logins ?? []),
    ...PUBLIC_ACCOUNTS.map((p) => p.login),
  ];
}

/** A valid unified social credit code (GB 32100) from its first 17 characters. */
const uscc = (first17: string): string => first17 + uniformCodeCheckChar(first17);

const REGIONS: Array<Pick<Region, 'code' | 'name' | 'nameEn' | 'level' | 'parentCode'>> = [
  { code: '990000', name: '演示省', nameEn: 'Demo Province', level: RegionLevel.Province, parentCode: null },
  { code: '990100', name: '演示市', nameEn: 'Demo City', level: RegionLevel.City, parentCode: '990000' },
  {
    code: '990102',
    name: '演示市甲区',
    nameEn: 'Demo City District A',
    level: RegionLevel.District,
    parentCode: '990100',
  },
  {
    code: '990105',
    name: '演示市乙区',
    nameEn: 'Demo City District B',
    level: RegionLevel.District,
    parentCode: '990100',
  },
];

const UNITS: DemoUnit[] = [
  {
    key: 'province',
    name: '演示省人民政府办公厅',
    nameEn: 'General Office of the Demo Province Government',
    kind: OrganisationKind.Agency,
    regionCode: '990000',
    uscc: uscc('11990000MB0000001'),
  },
  {
    key: 'market',
    name: '演示市市场监督管理局',
    nameEn: 'Demo City Market Regulation Bureau',
    kind: OrganisationKind.Agency,
    regionCode: '990100',
    uscc: uscc('11990100MB0000002'),
  },
  {
    key: 'marketA',
    name: '演示市市场监督管理局甲区分局',
    nameEn: 'Market Regulation, District A Branch',
    kind: OrganisationKind.Agency,
    regionCode: '990102',
    parent: 'market',
  },
  {
    key: 'marketA.reg',
    name: '登记注册科',
    nameEn: 'Registration Section',
    kind: OrganisationKind.Department,
    regionCode: '990102',
    parent: 'marketA',
  },
  {
    key: 'marketA.appr',
    name: '审批科',
    nameEn: 'Approval Section',
    kind: OrganisationKind.Department,
    regionCode: '990102',
    parent: 'marketA',
  },
  {
    key: 'marketB',
    name: '演示市市场监督管理局乙区分局',
    nameEn: 'Market Regulation, District B Branch',
    kind: OrganisationKind.Agency,
    regionCode: '990105',
    parent: 'market',
  },
  {
    key: 'marketB.reg',
    name: '登记注册科',
    nameEn: 'Registration Section',
    kind: OrganisationKind.Department,
    regionCode: '990105',
    parent: 'marketB',
  },
  {
    key: 'marketB.appr',
    name: '审批科',
    nameEn: 'Approval Section',
    kind: OrganisationKind.Department,
    regionCode: '990105',
    parent: 'marketB',
  },
  {
    key: 'police',
    name: '演示市公安局',
    nameEn: 'Demo City Public Security Bureau',
    kind: OrganisationKind.Agency,
    regionCode: '990100',
    uscc: uscc('11990100MB0000005'),
  },
  {
    key: 'police.hukou',
    name: '户政科',
    nameEn: 'Household Registration Section',
    kind: OrganisationKind.Department,
    regionCode: '990100',
    parent: 'police',
  },
];

/** username, display name, role and the unit it is held in (null: everywhere) */
const STAFF: Array<{
  username: string;
  displayName: string;
  role: RoleName;
  unit: string | null;
  home: string;
  label: string;
}> = [
  {
    username: 'admin',
    displayName: '系统管理员',
    role: RoleName.Admin,
    unit: null,
    home: 'province',
    label: 'administrator',
  },
  {
    username: 'market.admin',
    displayName: '市局机构管理员',
    role: RoleName.OrgAdmin,
    unit: 'market',
    home: 'market',
    label: 'org admin (city bureau)',
  },
  {
    username: 'clerk.a',
    displayName: '甲区受理员',
    role: RoleName.Clerk,
    unit: 'marketA.reg',
    home: 'marketA.reg',
    label: 'clerk (district A)',
  },
  {
    username: 'reviewer.a',
    displayName: '甲区审核员',
    role: RoleName.Reviewer,
    unit: 'marketA',
    home: 'marketA.appr',
    label: 'reviewer (district A)',
  },
  {
    username: 'clerk.b',
    displayName: '乙区受理员',
    role: RoleName.Clerk,
    unit: 'marketB.reg',
    home: 'marketB.reg',
    label: 'clerk (district B)',
  },
  {
    username: 'supervisor',
    displayName: '市局监督员',
    role: RoleName.Supervisor,
    unit: 'market',
    home: 'market',
    label: 'supervisor (city bureau)',
  },
  {
    username: 'auditor',
    displayName: '审计员',
    role: RoleName.Auditor,
    unit: null,
    home: 'province',
    label: 'auditor',
  },
];

/**
 * The demo citizen whose identity is verified (issue 11 §2), as if vouched for by the national eID:
 * the demo licence services require it, and their forms fill and lock name and ID number from it.
 */
export const DEMO_VERIFIED_CITIZEN = {
  phone: '13800000003',
  realName: '王芳',
  /** a valid (GB 11643) but invented number */
  nationalId: '110105198503150027',
};

const PUBLIC_ACCOUNTS: Array<Partial<Account> & { label: string; login: string; nationalId?: string }> = [
  {
    kind: AccountKind.Citizen,
    phone: '13800000001',
    displayName: '张三',
    label: 'citizen',
    login: '13800000001',
  },
  {
    kind: AccountKind.Citizen,
    phone: '13800000002',
    displayName: '李四',
    label: 'citizen',
    login: '13800000002',
  },
  {
    kind: AccountKind.Citizen,
    phone: DEMO_VERIFIED_CITIZEN.phone,
    displayName: DEMO_VERIFIED_CITIZEN.realName,
    realName: DEMO_VERIFIED_CITIZEN.realName,
    nationalId: DEMO_VERIFIED_CITIZEN.nationalId,
    identityAssurance: IdentityAssurance.RealName,
    identityVerifiedBy: IdentityVerifiedBy.Demo,
    label: `citizen, verified (${DEMO_VERIFIED_CITIZEN.realName})`,
    login: DEMO_VERIFIED_CITIZEN.phone,
  },
  {
    kind: AccountKind.Business,
    email: 'biz@demo.onewindow.dev',
    displayName: '演示科技有限公司',
    unifiedSocialCreditCode: uscc('91990102MA1DEM001'),
    label: 'business',
    login: 'biz@demo.onewindow.dev',
  },
];

/**
 * Idempotent: creates the demo province, agencies, staff, citizens, an agency client and an API key
 * when they are missing, and leaves existing rows alone. A second start costs a few indexed reads.
 * Refuses to run in production, because every credential here is published.
 */
export async function seedDemoData(app: INestApplication): Promise<DemoSummary> {
  const config = app.get<AppConfig>(APP_CONFIG);
  if (config.env === 'production')
    throw new Error('SEED_DEMO_DATA must not be enabled in production: the demo credentials are public');
  const db = app.get(Db);
  const organisations = app.get(OrganisationsService);
  const passwords = app.get(PasswordService);
  const ctx = RequestContext.system('demo-seed');
  let passwordHash: string | undefined;
  const hashOnce = async () => (passwordHash ??= await passwords.hash(DEMO_PASSWORD));

  for (const r of REGIONS) {
    if (!(await db.repo(Region).exists({ where: { code: r.code } }))) await db.repo(Region).insert(r);
  }

  const units = new Map<string, string>();
  await ensureUnits(organisations, db, ctx, UNITS, units);

  const summary: DemoSummary = { accounts: [] };
  const staffIds = new Map<string, string>();
  const needsSecondFactor = secondFactorRoles(config.secondFactorRoles);
  const totpSecretEnc = app.get(PersonalDataService).encrypt(PersonalField.TotpSecret, DEMO_TOTP_SECRET);
  for (const s of STAFF) {
    const id = await ensureStaff(db, s, [{ role: s.role, unit: s.unit }], units, hashOnce);
    staffIds.set(s.username, id);
    const totpSecret = needsSecondFactor.has(s.role) ? DEMO_TOTP_SECRET : undefined;
    // Enrolled as if confirmed, so the demo administrators can use their roles at once.
    if (totpSecret)
      await db.query('UPDATE account SET totp_secret_enc = $2 WHERE id = $1 AND totp_secret_enc IS NULL', [
        id,
        totpSecretEnc,
      ]);
    summary.accounts.push({ role: s.label, login: s.username, password: DEMO_PASSWORD, totpSecret });
  }

  // The modules' own demo data (the catalogue's services, ...), registered by each module.
  for (const seeder of demoSeeders())
    await seeder.seed({ app, units, passwordHash: hashOnce, summary, password: DEMO_PASSWORD });

  const personalData = app.get(PersonalDataService);
  for (const p of PUBLIC_ACCOUNTS) {
    const { label, login, nationalId, ...fields } = p;
    const where = fields.phone ? { phone: fields.phone } : { email: fields.email! };
    if (!(await db.repo(Account).exists({ where }))) {
      const identity: Partial<Account> = nationalId
        ? {
            nationalIdEnc: personalData.encrypt(PersonalField.NationalId, nationalId),
            nationalIdBidx: personalData.blindIndex(PersonalField.NationalId, nationalId),
            nationalIdLast4: nationalId.slice(-4),
            nationalIdMasked: maskNationalId(nationalId),
          }
        : {};
      if (fields.identityVerifiedBy) identity.identityVerifiedAt = new Date();
      await db.repo(Account).insert(
        db.repo(Account).create({
          ...fields,
          ...identity,
          status: AccountStatus.Active,
          passwordHash: await hashOnce(),
        }),
      );
    }
    summary.accounts.push({ role: label, login, password: DEMO_PASSWORD });
  }

  if (!(await db.repo(OAuthClient).exists({ where: { clientId: DEMO_CLIENT_ID } }))) {
    await db.repo(OAuthClient).insert(
      db.repo(OAuthClient).create({
        clientId: DEMO_CLIENT_ID,
        name: '演示市市场监督管理局业务系统',
        secretHash: sha256Hex(DEMO_CLIENT_SECRET),
        previousSecretHash: null,
        previousSecretExpiresAt: null,
        organisationId: units.get('market')!,
        scopes: [Permission.DirectoryRead, Permission.CaseHandle, Permission.PersonalDataRead],
        certThumbprint: null,
        active: true,
        createdBy: staffIds.get('market.admin')!,
        lastUsedAt: null,
      }),
    );
  }
  summary.accounts.push({
    role: 'agency client (OAuth)',
    login: DEMO_CLIENT_ID,
    password: DEMO_CLIENT_SECRET,
  });

  const publicId = DEMO_API_KEY.split('_')[1];
  if (!(await db.repo(ApiKey).exists({ where: { publicId } }))) {
    await db.repo(ApiKey).insert(
      db.repo(ApiKey).create({
        publicId,
        keyHash: sha256Hex(DEMO_API_KEY),
        name: '演示城市仪表盘',
        organisationId: units.get('market')!,
        ownerAccountId: staffIds.get('market.admin')!,
        scopes: [Permission.DirectoryRead],
        expiresAt: null,
        revokedAt: null,
        lastUsedAt: null,
      }),
    );
  }
  summary.accounts.push({ role: 'API key (X-API-Key)', login: 'X-API-Key', password: DEMO_API_KEY });
  // The notices the demo data caused (an answered consultation, a rectification, …) go out now,
  // through the event deliveries and jobs due, so their log lines come before the start banner
  // instead of under the demo accounts.
  await app.get(EventDeliveryWorker).drain();
  await app.get(JobWorker).drain();
  return summary;
}

export function demoBanner(summary: DemoSummary): string {
  const lines = summary.accounts.map(
    (a) =>
      `    ${a.role.padEnd(26)} ${a.login.padEnd(32)} ${a.password}` +
      (a.totpSecret ? `  (TOTP secret ${a.totpSecret})` : ''),
  );
  return ['  Demo accounts (development only; password or secret last):', ...lines].join('\n');
}
