import type { INestApplication } from '@nestjs/common';
import { Permission } from '../../../../api/auth/permission';
import { RequestContext } from '../../../../api/context/request-context';
import { Db } from '../../../../database/db';
import { WorkflowDefinitionsService } from '../../../internal/workflow/workflow-definitions.service';
import type { AssigneeRule, StageSpec, Texts, WorkflowSpec } from '../../../internal/workflow/workflow-spec';
import { CatalogStaffService } from '../catalog-staff.service';
import { Service } from '../service.entity';
import { ClockUnit } from '../../../platform/calendar/deadline';
import { Account } from '../../../platform/identity/account.entity';
import { uniformCodeCheckChar } from '../../../platform/identity/personal-data/national-id';
import { RoleName } from '../../../platform/identity/staff/role-catalogue';
import { OrganisationKind } from '../../../platform/organisations/organisation.entity';
import { OrganisationsService } from '../../../platform/organisations/organisations.service';
import { DemoSeedContext, registerDemoSeeder } from '../../../platform/demo/demo-registry';
import { DemoUnit, ensureStaff, ensureUnits } from '../../../platform/demo/demo-upsert';
import {
  DEMO_SERVICES,
  DemoServiceSpec,
  INDIVIDUAL_BUSINESS,
  RESIDENCE_PERMIT,
  SENIOR_CARD,
} from './demo-services.data';

/**
 * Three published demo services with active workflows, and the units and staff who work them:
 * - 个体工商户设立登记 in 甲区分局登记注册科: clerk.a accepts and delivers, reviewer.a reviews,
 *   approver.a approves, decides and issues the licence (accept and approve by different people);
 * - 居住证申领 in 市公安局户政科: two sequential approvals, the second by the bureau above (chief.police);
 * - 老年人优待证办理 in 市民政局养老服务科, a 即办件: the window's chief representative (clerk.civil,
 *   authorised to decide on the spot) accepts, decides and issues in one sitting.
 * Idempotent like the rest of the demo seed: a service whose implementation code exists is left alone.
 */

const t = (zh: string, en: string): Texts => ({ 'zh-CN': zh, en });
const uscc = (first17: string): string => first17 + uniformCodeCheckChar(first17);
const at = (
  permission: AssigneeRule['permission'],
  unit: AssigneeRule['unit'] = 'handling',
): AssigneeRule => ({
  permission,
  unit,
});
const handle = at(Permission.CaseHandle);
const review = at(Permission.CaseReview);
const approve = at(Permission.CaseApprove);

/** units the demo services need beyond the demo seed's: a civil affairs bureau for the 即办件 */
const EXTRA_UNITS: DemoUnit[] = [
  {
    key: 'civil',
    name: '演示市民政局',
    nameEn: 'Demo City Civil Affairs Bureau',
    kind: OrganisationKind.Agency,
    regionCode: '990100',
    uscc: uscc('11990100MB0000007'),
  },
  {
    key: 'civil.elder',
    name: '养老服务科',
    nameEn: 'Elderly Services Section',
    kind: OrganisationKind.Department,
    regionCode: '990100',
    parent: 'civil',
  },
];

/** staff the workflows need beyond the demo seed's (clerk.a, reviewer.a, supervisor) */
export const DEMO_SERVICE_STAFF: Array<{
  username: string;
  displayName: string;
  roles: RoleName[];
  unit: string;
  home: string;
  label: string;
}> = [
  {
    username: 'approver.a',
    displayName: '甲区审批员',
    roles: [RoleName.Approver],
    unit: 'marketA',
    home: 'marketA.appr',
    label: 'approver (district A)',
  },
  {
    username: 'clerk.police',
    displayName: '户政受理员',
    roles: [RoleName.Clerk],
    unit: 'police.hukou',
    home: 'police.hukou',
    label: 'clerk (household reg.)',
  },
  {
    username: 'reviewer.police',
    displayName: '户政审核员',
    roles: [RoleName.Reviewer],
    unit: 'police.hukou',
    home: 'police.hukou',
    label: 'reviewer (household reg.)',
  },
  {
    username: 'approver.police',
    displayName: '户政科科长',
    roles: [RoleName.Approver],
    unit: 'police.hukou',
    home: 'police.hukou',
    label: 'approver (household reg.)',
  },
  {
    username: 'chief.police',
    displayName: '市公安局分管负责人',
    roles: [RoleName.Approver],
    unit: 'police',
    home: 'police',
    label: 'approver (city police)',
  },
  {
    username: 'clerk.civil',
    displayName: '民政窗口首席代表',
    roles: [RoleName.Clerk, RoleName.Approver],
    unit: 'civil.elder',
    home: 'civil.elder',
    label: 'clerk+approver (civil)',
  },
];

const CLOCK = { supplementNoticeWithin: 5, yellowWithin: 1, escalateOverdue: true };

const acceptance = (next: string): StageSpec => ({
  key: 'acceptance',
  title: t('受理', 'Acceptance'),
  assignee: handle,
  actions: [
    { key: 'accept', effect: 'accept', title: t('受理', 'Accept'), to: next },
    { key: 'refuse', effect: 'refuse', title: t('不予受理', 'Refuse'), reasonRequired: true },
    {
      key: 'request_supplement',
      effect: 'request_supplement',
      title: t('一次性告知补正', 'Request documents'),
    },
  ],
});

const reviewStage = (next: string): StageSpec => ({
  key: 'review',
  title: t('审查', 'Review'),
  assignee: review,
  actions: [
    { key: 'pass', effect: 'advance', title: t('审查通过', 'Pass'), to: next },
    {
      key: 'return',
      effect: 'return',
      title: t('退回受理', 'Return'),
      to: 'acceptance',
      reasonRequired: true,
    },
    { key: 'request_extension', effect: 'request_extension', title: t('申请延期', 'Request extension') },
    { key: 'grant_extension', effect: 'grant_extension', title: t('同意延期', 'Grant extension') },
    { key: 'deny_extension', effect: 'deny_extension', title: t('不同意延期', 'Deny extension') },
  ],
});

const approvalStage = (levels: AssigneeRule[], next: string): StageSpec => ({
  key: 'approval',
  title: t('审批', 'Approval'),
  assignee: approve,
  approval: { mode: 'sequential', levels },
  actions: [
    { key: 'approve', effect: 'approve', title: t('同意', 'Approve'), to: next },
    {
      key: 'disapprove',
      effect: 'disapprove',
      title: t('不同意（退回审查）', 'Disapprove'),
      to: 'review',
      reasonRequired: true,
    },
  ],
});

const decision = (next: string): StageSpec => ({
  key: 'decision',
  title: t('决定', 'Decision'),
  assignee: approve,
  actions: [{ key: 'decide', effect: 'decide', title: t('作出决定', 'Decide'), to: next }],
});

const issuing = (title: Texts, next: string): StageSpec => ({
  key: 'issuing',
  title,
  assignee: approve,
  actions: [{ key: 'issue', effect: 'issue', title, to: next }],
});

const closed: StageSpec = {
  key: 'closed',
  title: t('办结', 'Closed'),
  assignee: handle,
  final: true,
  actions: [],
};

const SOD_ACCEPT_APPROVE = [
  {
    actions: ['acceptance.accept', 'approval.approve'],
    title: t('受理与审批不得为同一人', 'Accept and approve: different people'),
  },
];

export const DEMO_WORKFLOWS: Record<string, WorkflowSpec> = {
  [INDIVIDUAL_BUSINESS.code]: {
    start: 'acceptance',
    clock: { limit: { amount: 2, unit: ClockUnit.WorkingDays }, ...CLOCK },
    separationOfDuties: SOD_ACCEPT_APPROVE,
    stages: [
      acceptance('review'),
      reviewStage('approval'),
      approvalStage([approve], 'decision'),
      decision('issuing'),
      issuing(t('核发营业执照', 'Issue business licence'), 'delivery'),
      {
        key: 'delivery',
        title: t('送达', 'Delivery'),
        assignee: handle,
        actions: [{ key: 'deliver', effect: 'deliver', title: t('送达', 'Deliver'), to: 'closed' }],
      },
      closed,
    ],
  },
  [RESIDENCE_PERMIT.code]: {
    start: 'acceptance',
    clock: { limit: { amount: 10, unit: ClockUnit.WorkingDays }, ...CLOCK, yellowWithin: 2 },
    separationOfDuties: SOD_ACCEPT_APPROVE,
    stages: [
      acceptance('review'),
      reviewStage('approval'),
      approvalStage([approve, at(Permission.CaseApprove, 'parent')], 'decision'),
      decision('issuing'),
      issuing(t('制发居住证', 'Issue residence permit'), 'closed'),
      closed,
    ],
  },
  [SENIOR_CARD.code]: {
    start: 'acceptance',
    clock: { limit: { amount: 1, unit: ClockUnit.WorkingDays }, ...CLOCK, yellowWithin: 0 },
    stages: [
      acceptance('decision'),
      decision('issuing'),
      issuing(t('制发优待证', 'Issue senior card'), 'closed'),
      closed,
    ],
  },
};

/**
 * Seeds the units, staff and services. `units` maps the demo seed's unit keys to ids (extended
 * here); `passwordHash` is the demo password's hash.
 */
export async function seedDemoServices({
  app,
  units,
  passwordHash,
  summary,
  password,
}: DemoSeedContext): Promise<void> {
  const db = app.get(Db);
  const ctx = RequestContext.system('demo-seed');
  await ensureUnits(app.get(OrganisationsService), db, ctx, EXTRA_UNITS, units);
  for (const s of DEMO_SERVICE_STAFF) {
    const roles = s.roles.map((role) => ({ role, unit: s.unit }));
    await ensureStaff(db, s, roles, units, passwordHash);
    summary.accounts.push({ role: s.label, login: s.username, password });
  }
  // The catalogue records who published (a uuid column): the demo administrator, acting as the system.
  const admin = await db.repo(Account).findOneOrFail({ where: { username: 'admin' } });
  const publisher = RequestContext.system('demo-seed');
  publisher.actor = { ...publisher.actor, id: admin.id };
  for (const spec of DEMO_SERVICES) {
    if (await db.repo(Service).exists({ where: { implementationCode: spec.code } })) continue;
    await db.transaction(() => createService(app, publisher, spec, units.get(spec.unit)!));
  }
}

/** draft guide → workflow draft → activate → submit → publish (publication needs the active workflow) */
async function createService(
  app: INestApplication,
  ctx: RequestContext,
  spec: DemoServiceSpec,
  unitId: string,
) {
  const catalog = app.get(CatalogStaffService);
  const workflows = app.get(WorkflowDefinitionsService);
  const service = await catalog.create(ctx, {
    organisationId: unitId,
    implementationCode: spec.code,
    type: spec.type,
    target: spec.target,
    draft: spec.content,
  });
  const definition = await workflows.create(ctx, service.id, { spec: DEMO_WORKFLOWS[spec.code] });
  await workflows.activate(ctx, definition.id, undefined);
  await catalog.submit(ctx, service.id, undefined);
  await catalog.publish(ctx, service.id, undefined);
}

// The catalogue owns its demo services; the platform's runner calls this after its own seed.
registerDemoSeeder({
  name: 'catalog.services',
  logins: DEMO_SERVICE_STAFF.map((s) => s.username),
  seed: seedDemoServices,
});
