import { Permission } from '../../../api/auth/permission';
import { Grants, RequestContext } from '../../../api/context/request-context';
import { DomainError } from '../../../api/errors/domain-error';
import type { Db } from '../../../database/db';
import { CasePolicy } from '../../internal/workflow/case.policy';
import { CaseRecords } from '../../internal/workflow/case-records.service';
import { CaseFile, CaseTask, TaskStatus } from '../../internal/workflow/case.entity';
import { WorkflowDefinitionPolicy } from '../../internal/workflow/workflow-definition.policy';
import type { WorkflowEngine } from '../../internal/workflow/workflow-engine.service';
import { TaskPolicy } from '../../internal/tasks/task.policy';
import { ApplicationPolicy } from '../../public/applications/application.policy';
import { ServicePolicy } from '../../public/catalog/service.policy';
import { LicencePolicy } from '../../public/licences/licence.policy';
import type { Application } from '../../public/applications/application.entity';
import type { AuditEntry, AuditService } from '../audit/audit.service';
import { AccountPolicy } from '../identity/accounts/account.policy';
import { OrganisationPolicy } from '../organisations/organisation.policy';
import { AccessService } from './access.service';

// Units: CITY above DISTRICT above STREET; OTHER is a separate department.
const CITY = '01900000-0000-7000-8000-00000000c171';
const DISTRICT = '01900000-0000-7000-8000-0000000d1571';
const STREET = '01900000-0000-7000-8000-0000005781ee';
const OTHER = '01900000-0000-7000-8000-0000000071e2';
const ME = '01900000-0000-7000-8000-0000000000a1';
const COLLEAGUE = '01900000-0000-7000-8000-0000000000a2';
const CITIZEN = '01900000-0000-7000-8000-0000000000c1';
const BUSINESS = '01900000-0000-7000-8000-0000000000b1';
const CASE_ID = '01900000-0000-7000-8000-00000000ca5e';

const CLOSURE: Array<[string, string, number]> = [
  [CITY, CITY, 0],
  [DISTRICT, DISTRICT, 0],
  [STREET, STREET, 0],
  [OTHER, OTHER, 0],
  [CITY, DISTRICT, 1],
  [CITY, STREET, 2],
  [DISTRICT, STREET, 1],
];

function fakeDb(rows: { tasks?: Partial<CaseTask>[]; cases?: Partial<CaseFile>[] } = {}) {
  const queries: string[] = [];
  const db = {
    query: (sql: string, params: unknown[]) => {
      queries.push(sql);
      const [unit, ids] = params as [string, string[]];
      const hits = CLOSURE.filter(([a, d]) => d === unit && ids.includes(a)).sort((x, y) => x[2] - y[2]);
      return Promise.resolve(hits.map(([a]) => ({ id: a })));
    },
    repo: (entity: unknown) => ({
      find: ({ where }: { where: { caseId: string; status: TaskStatus } }) =>
        Promise.resolve(
          entity === CaseTask
            ? (rows.tasks ?? []).filter((t) => t.caseId === where.caseId && t.status === where.status)
            : [],
        ),
      findOne: ({ where }: { where: { id: string } }) =>
        Promise.resolve(
          (entity === CaseFile ? rows.cases : entity === CaseTask ? rows.tasks : [])?.find(
            (r) => r.id === where.id,
          ) ?? null,
        ),
    }),
    byId(entity: unknown, id: string) {
      return this.repo(entity).findOne({ where: { id } });
    },
  };
  return { db: db as unknown as Db, queries };
}

function caller(
  kind: 'staff' | 'citizen' | 'anonymous',
  grants: Array<[Permission, string[] | '*']> = [],
  id = ME,
) {
  const ctx = new RequestContext('test');
  const map: Grants = new Map(grants.map(([p, s]) => [p, s === '*' ? '*' : new Set(s)]));
  ctx.actor = { kind, id: kind === 'anonymous' ? null : id, grants: map };
  return ctx;
}

function setup(rows: Parameters<typeof fakeDb>[0] = {}, caseOf: Partial<CaseFile> | null = null) {
  const { db, queries } = fakeDb(rows);
  const leaves: AuditEntry[] = [];
  const audit = { append: (_ctx: unknown, e: AuditEntry) => (leaves.push(e), Promise.resolve()) };
  const access = new AccessService(db, audit as unknown as AuditService);
  const engine = { caseOf: () => Promise.resolve(caseOf) } as unknown as WorkflowEngine;
  new CasePolicy(db, access);
  new TaskPolicy(new CaseRecords(db), access);
  new WorkflowDefinitionPolicy(db, access);
  new ApplicationPolicy(db, access, engine);
  new AccountPolicy(access);
  new OrganisationPolicy(access);
  new ServicePolicy(db, access);
  new LicencePolicy(db, access);
  return { access, queries, leaves };
}

const aCase = (over: Partial<CaseFile> = {}) =>
  ({ id: CASE_ID, organisationId: STREET, number: 'A-1', ...over }) as CaseFile;
const aTask = (over: Partial<CaseTask> = {}) =>
  ({
    id: '01900000-0000-7000-8000-00000000a5c1',
    caseId: CASE_ID,
    stage: 'review',
    status: TaskStatus.Open,
    permission: Permission.CaseReview,
    organisationId: DISTRICT,
    assigneeId: null,
    ...over,
  }) as CaseTask;

describe('AccessService', () => {
  it('knows every subject the modules register, once each', () => {
    const { access } = setup();
    expect(access.subjects().sort()).toEqual(
      ['account', 'application', 'case', 'licence', 'organisation', 'service', 'task', 'workflow'].sort(),
    );
    expect(() =>
      access.register('case', { decide: () => Promise.resolve({ allowed: true, reason: '' }) }),
    ).toThrow(/already registered/);
  });

  it('answers a refusal, a missing id and a malformed id with the same 404', async () => {
    const { access } = setup({ cases: [aCase()] });
    const stranger = caller('staff', [[Permission.CaseHandle, [OTHER]]]);
    const answers = await Promise.all(
      [CASE_ID, '01900000-0000-7000-8000-000000000404', 'not-a-uuid'].map((id) =>
        access.require(stranger, 'case', id).catch((e: DomainError) => ({ code: e.code, params: e.params })),
      ),
    );
    expect(answers[0]).toEqual(answers[1]);
    expect(answers[1]).toEqual(answers[2]);
    expect(answers[0]).toEqual({ code: 'NOT_FOUND', params: { resource: 'case' } });
    expect(await access.check(stranger, 'case', null)).toEqual({ allowed: false, reason: 'not found' });
  });

  it('names the grant: global, at the unit itself (no query), or at the nearest unit above', async () => {
    const { access, queries } = setup();
    expect(
      await access.unitGrant(
        caller('staff', [[Permission.CaseSupervise, '*']]),
        [Permission.CaseSupervise],
        STREET,
      ),
    ).toEqual({
      allowed: true,
      reason: 'unit scope: case:supervise everywhere',
    });
    expect(
      (
        await access.unitGrant(
          caller('staff', [[Permission.CaseHandle, [STREET]]]),
          [Permission.CaseHandle],
          STREET,
        )
      ).reason,
    ).toBe(`unit scope: case:handle at unit ${STREET}`);
    expect(queries).toHaveLength(0);
    const both = caller('staff', [
      [Permission.CaseHandle, [CITY]],
      [Permission.CaseReview, [DISTRICT]],
    ]);
    expect(
      (await access.unitGrant(both, [Permission.CaseHandle, Permission.CaseReview], STREET)).reason,
    ).toBe(`unit scope: case:review at unit ${DISTRICT}`);
    expect(queries).toHaveLength(1);
    expect((await access.unitGrant(both, [Permission.CaseHandle], OTHER)).allowed).toBe(false);
  });

  it("says when the grant is a colleague's delegated role (委托)", async () => {
    const { access } = setup();
    const delegate = caller('staff', [[Permission.CaseApprove, [DISTRICT]]]);
    delegate.actor.ownGrants = new Map();
    delegate.actor.delegations = [{ from: COLLEAGUE, permission: Permission.CaseApprove, unit: DISTRICT }];
    expect((await access.unitGrant(delegate, [Permission.CaseApprove], STREET)).reason).toBe(
      `unit scope: case:approve at unit ${DISTRICT} (delegated by ${COLLEAGUE})`,
    );
  });

  it("records the decision's reason with the audit leaf", async () => {
    const { access, leaves } = setup();
    await access.record(
      caller('staff'),
      { allowed: true, reason: 'owner' },
      { action: 'x.read', resourceType: 'x' },
    );
    await access.record(
      caller('staff'),
      { allowed: true, reason: 'r'.repeat(300) },
      { action: 'x.read', resourceType: 'x' },
    );
    expect(leaves[0].legalBasis).toBe('access: owner');
    expect(leaves[1].legalBasis).toHaveLength(200);
  });
});

describe('case policy', () => {
  it('opens a case to case staff of its unit or above, and to a candidate of an open task', async () => {
    const { access } = setup({ tasks: [aTask()] });
    const c = aCase();
    expect(await access.check(caller('staff', [[Permission.CaseHandle, [CITY]]]), 'case', c)).toEqual({
      allowed: true,
      reason: `unit scope: case:handle at unit ${CITY}`,
    });
    // Reviewer of another unit above the task's: sees the case through the task it may work.
    const reviewer = caller('staff', [[Permission.CaseReview, [DISTRICT]]]);
    const elsewhere = aCase({ organisationId: OTHER });
    expect((await access.check(reviewer, 'case', elsewhere)).reason).toBe(
      `open task (review): unit scope: case:review at unit ${DISTRICT}`,
    );
    expect(
      (await access.check(caller('staff', [[Permission.CaseHandle, [OTHER]]]), 'case', aCase())).allowed,
    ).toBe(false);
    expect((await access.check(caller('staff', [[Permission.CatalogManage, '*']]), 'case', c)).allowed).toBe(
      false,
    );
    expect((await access.check(caller('anonymous'), 'case', c)).allowed).toBe(false);
  });

  it('opens the notes to whoever sees an open task in the queue (its assignee, a dispatcher)', async () => {
    const { access } = setup({ tasks: [aTask({ organisationId: OTHER, assigneeId: ME })] });
    const assignee = caller('staff', []);
    const c = aCase({ organisationId: OTHER });
    expect((await access.check(assignee, 'case', c, 'read')).allowed).toBe(false);
    expect((await access.check(assignee, 'case', c, 'note')).reason).toBe(
      'open task (review): task assignee',
    );
    expect(
      (await access.check(caller('staff', [[Permission.CaseAssign, [OTHER]]], COLLEAGUE), 'case', c, 'note'))
        .allowed,
    ).toBe(true);
  });

  it('lists in SQL: everything for a global grant, the units and their open tasks otherwise', () => {
    const { access } = setup();
    expect(access.scope(caller('staff', [[Permission.CaseSupervise, '*']]), 'case').sql).toBe('TRUE');
    const scoped = access.scope(caller('staff', [[Permission.CaseHandle, [STREET]]]), 'case');
    expect(scoped.sql).toContain('EXISTS (SELECT 1 FROM case_task ot');
    expect(scoped.params).toEqual({ scopeUnits: [STREET], taskUnits: [STREET] });
  });
});

describe('task policy', () => {
  it('opens a task to its assignee, its candidates and the overseers of its unit, and no one else', async () => {
    const { access } = setup();
    expect((await access.check(caller('staff', [], ME), 'task', aTask({ assigneeId: ME }))).reason).toBe(
      'task assignee',
    );
    expect(
      (await access.check(caller('staff', [[Permission.CaseReview, [CITY]]]), 'task', aTask())).reason,
    ).toBe(`task candidate: unit scope: case:review at unit ${CITY}`);
    // Holding another case permission there is not enough: the task asks for case:review.
    expect(
      (await access.check(caller('staff', [[Permission.CaseHandle, [CITY]]]), 'task', aTask())).allowed,
    ).toBe(false);
    expect(
      (await access.check(caller('staff', [[Permission.CaseAssign, [DISTRICT]]]), 'task', aTask())).reason,
    ).toBe(`queue oversight: unit scope: case:assign at unit ${DISTRICT}`);
    expect(
      (await access.check(caller('staff', [[Permission.CaseReview, [OTHER]]]), 'task', aTask())).allowed,
    ).toBe(false);
    expect((await access.check(caller('citizen', [], CITIZEN), 'task', aTask())).allowed).toBe(false);
  });
});

describe('application policy', () => {
  const app = {
    id: '01900000-0000-7000-8000-0000000a9901',
    applicantAccountId: CITIZEN,
    businessAccountId: BUSINESS,
  } as Application;

  it('lets the applicant and the business own it, and refuses other citizens', async () => {
    const { access } = setup({}, aCase());
    // The representative applied for the business; the business's own account owns it too.
    expect(await access.check(caller('citizen', [], CITIZEN), 'application', app, 'own')).toEqual({
      allowed: true,
      reason: `business representative (applicant for business ${BUSINESS})`,
    });
    expect((await access.check(caller('citizen', [], BUSINESS), 'application', app, 'own')).reason).toBe(
      'owner (the business applied for)',
    );
    const personal = { ...app, businessAccountId: null } as Application;
    expect((await access.check(caller('citizen', [], CITIZEN), 'application', personal, 'read')).reason).toBe(
      'owner (applicant)',
    );
    expect((await access.check(caller('citizen', [], ME), 'application', app, 'read')).allowed).toBe(false);
    // Staff never own an application, whatever they hold.
    expect(
      (await access.check(caller('staff', [[Permission.CaseHandle, '*']]), 'application', app, 'own'))
        .allowed,
    ).toBe(false);
  });

  it('lets staff read through the handling unit of its case, and unmask only with personal-data:unmask there', async () => {
    const { access } = setup({}, aCase());
    const handler = caller('staff', [
      [Permission.CaseHandle, [DISTRICT]],
      [Permission.PersonalDataUnmask, [OTHER]],
    ]);
    expect((await access.check(handler, 'application', app, 'read')).reason).toBe(
      `handling unit of case A-1: unit scope: case:handle at unit ${DISTRICT}`,
    );
    expect((await access.check(handler, 'application', app, 'unmask')).allowed).toBe(false);
    expect(
      (await access.check(caller('staff', [[Permission.CaseHandle, [OTHER]]]), 'application', app, 'read'))
        .allowed,
    ).toBe(false);
  });

  it('keeps a draft (no case yet) to its applicant', async () => {
    const { access } = setup({}, null);
    expect(
      (await access.check(caller('staff', [[Permission.CaseSupervise, '*']]), 'application', app, 'read'))
        .allowed,
    ).toBe(false);
  });

  it("lists the caller's own applications in SQL, and nothing for anyone else", () => {
    const { access } = setup();
    expect(access.scope(caller('citizen', [], CITIZEN), 'application', 'own')).toMatchObject({
      params: { accessOwner: CITIZEN },
      ownerId: CITIZEN,
    });
    expect(access.scope(caller('staff', [[Permission.CaseHandle, '*']]), 'application', 'own').sql).toBe(
      '1 = 0',
    );
  });
});

describe('account, organisation and workflow policies', () => {
  it("opens citizens' accounts only to a global account:read, and unmasking to a global personal-data:unmask", async () => {
    const { access } = setup();
    const acct = { id: CITIZEN };
    expect(await access.check(caller('staff', [[Permission.AccountRead, '*']]), 'account', acct)).toEqual({
      allowed: true,
      reason: 'citizen scope: account:read everywhere',
    });
    expect(
      (await access.check(caller('staff', [[Permission.AccountRead, [CITY]]]), 'account', acct)).allowed,
    ).toBe(false);
    expect(
      (await access.check(caller('staff', [[Permission.AccountRead, '*']]), 'account', acct, 'unmask'))
        .allowed,
    ).toBe(false);
  });

  it('lets organisation:manage manage its subtree only', async () => {
    const { access } = setup();
    const admin = caller('staff', [[Permission.OrganisationManage, [DISTRICT]]]);
    expect(await access.require(admin, 'organisation', STREET, 'manage')).toBe(STREET);
    await expect(access.require(admin, 'organisation', CITY, 'manage')).rejects.toBeInstanceOf(DomainError);
  });

  it('lets case staff read a workflow and only workflow:manage change it', async () => {
    const { access } = setup();
    const w = { organisationId: STREET };
    const handler = caller('staff', [[Permission.CaseHandle, [CITY]]]);
    expect((await access.check(handler, 'workflow', w, 'read')).allowed).toBe(true);
    expect((await access.check(handler, 'workflow', w, 'manage')).allowed).toBe(false);
    expect(
      (await access.check(caller('staff', [[Permission.WorkflowManage, [STREET]]]), 'workflow', w, 'manage'))
        .allowed,
    ).toBe(true);
  });

  it('lets catalogue staff of the owning unit read a service draft, and each role only its own step', async () => {
    const { access } = setup();
    const service = { organisationId: STREET };
    const reviewer = caller('staff', [[Permission.CatalogReview, [DISTRICT]]]);
    expect((await access.check(reviewer, 'service', service, 'read')).reason).toBe(
      `unit scope: catalog:review at unit ${DISTRICT}`,
    );
    expect((await access.check(reviewer, 'service', service, 'review')).allowed).toBe(true);
    expect((await access.check(reviewer, 'service', service, 'manage')).allowed).toBe(false);
    expect(
      (await access.check(caller('staff', [[Permission.CatalogManage, [OTHER]]]), 'service', service, 'read'))
        .allowed,
    ).toBe(false);
    expect(access.scope(caller('staff', [[Permission.CatalogManage, '*']]), 'service').sql).toBe('TRUE');
    expect(access.scope(caller('staff', []), 'service').sql).toBe('1 = 0');
  });

  it("lets a licence's holder and the issuing unit's issuers and revokers read it, and only revokers revoke", async () => {
    const { access } = setup();
    const licence = { issuerOrganisationId: DISTRICT, holderAccountId: CITIZEN };
    expect(await access.check(caller('citizen', [], CITIZEN), 'licence', licence)).toEqual({
      allowed: true,
      reason: 'holder',
    });
    expect((await access.check(caller('citizen', [], BUSINESS), 'licence', licence)).allowed).toBe(false);
    const issuer = caller('staff', [[Permission.LicenceIssue, [CITY]]]);
    expect((await access.check(issuer, 'licence', licence)).allowed).toBe(true);
    expect((await access.check(issuer, 'licence', licence, 'revoke')).allowed).toBe(false);
    expect(
      (
        await access.check(
          caller('staff', [[Permission.LicenceRevoke, [DISTRICT]]]),
          'licence',
          licence,
          'revoke',
        )
      ).allowed,
    ).toBe(true);
    expect(
      (await access.check(caller('staff', [[Permission.LicenceIssue, [STREET]]]), 'licence', licence))
        .allowed,
    ).toBe(false);
  });
});
