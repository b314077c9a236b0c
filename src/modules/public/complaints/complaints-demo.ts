import type { INestApplication } from '@nestjs/common';
import { RequestContext } from '../../../api/context/request-context';
import { Db } from '../../../database/db';
import { WorkflowEngine } from '../../internal/workflow/workflow-engine.service';
import { DemoSeedContext, registerDemoSeeder } from '../../platform/demo/demo-registry';
import { DemoUnit, ensureStaff, ensureUnits } from '../../platform/demo/demo-upsert';
import { Account } from '../../platform/identity/account.entity';
import { uniformCodeCheckChar } from '../../platform/identity/personal-data/national-id';
import { RoleName } from '../../platform/identity/staff/role-catalogue';
import { OrganisationKind } from '../../platform/organisations/organisation.entity';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { Complaint } from './complaint.entity';
import { ComplaintCategoriesService, NewCategory } from './complaint-categories.service';
import { ComplaintsService } from './complaints.service';

/**
 * The 12345 demo: the city government with its hotline (dispatch centre), two handling bureaus,
 * a dispatcher, two handlers and a supervisor; a category tree; one order closed through the whole
 * loop and two open ones (one real-name, one anonymous). Idempotent: units, staff and categories are
 * found or created, the orders made once.
 */
const uscc = (first17: string): string => first17 + uniformCodeCheckChar(first17);
const t = (zh: string, en: string) => ({ 'zh-CN': zh, en });

const UNITS: DemoUnit[] = [
  {
    key: 'gov',
    name: '演示市人民政府',
    nameEn: 'Demo City Government',
    kind: OrganisationKind.Agency,
    regionCode: '990100',
    uscc: uscc('11990100MB0000101'),
  },
  {
    key: 'hotline',
    name: '演示市12345政务服务便民热线',
    nameEn: 'Demo City 12345 Hotline',
    kind: OrganisationKind.ServiceCentre,
    regionCode: '990100',
    parent: 'gov',
  },
  {
    key: 'urban',
    name: '演示市城市管理局',
    nameEn: 'Demo City Urban Management Bureau',
    kind: OrganisationKind.Agency,
    regionCode: '990100',
    parent: 'gov',
    uscc: uscc('11990100MB0000102'),
  },
  {
    key: 'housing',
    name: '演示市住房和城乡建设局',
    nameEn: 'Demo City Housing Bureau',
    kind: OrganisationKind.Agency,
    regionCode: '990100',
    parent: 'gov',
    uscc: uscc('11990100MB0000103'),
  },
];

export const COMPLAINT_DEMO_STAFF = [
  {
    username: 'dispatcher.12345',
    displayName: '热线派单员',
    role: RoleName.Clerk,
    unit: 'hotline',
    label: 'clerk (12345 dispatch centre)',
  },
  {
    username: 'handler.urban',
    displayName: '城管承办员',
    role: RoleName.Clerk,
    unit: 'urban',
    label: 'clerk (urban management, handles work orders)',
  },
  {
    username: 'handler.housing',
    displayName: '住建承办员',
    role: RoleName.Clerk,
    unit: 'housing',
    label: 'clerk (housing bureau, handles work orders)',
  },
  {
    username: 'supervisor.12345',
    displayName: '热线督办员',
    role: RoleName.Supervisor,
    unit: 'gov',
    label: 'supervisor (city government: supervision, hot spots)',
  },
] as const;

function categories(units: Map<string, string>): NewCategory[] {
  const base = {
    organisationId: units.get('hotline')!,
    regionCode: '990100',
    keywords: [] as string[],
    attributes: [],
  };
  const urban = t('城市管理', 'Urban management');
  const housing = t('住房物业', 'Housing and property');
  return [
    {
      ...base,
      code: 'urban',
      parentCode: null,
      assignable: false,
      kind: 'complaint',
      name: urban,
      description: urban,
      groupName: urban,
    },
    {
      ...base,
      code: 'urban.road_damage',
      parentCode: 'urban',
      assignable: true,
      kind: 'complaint',
      name: t('道路破损', 'Damaged road'),
      description: t('路面坑洼、井盖缺失等', 'Potholes, missing manhole covers and the like'),
      groupName: urban,
      keywords: ['坑', 'pothole', '井盖'],
      attributes: [
        {
          code: 'size',
          datatype: 'singlevaluelist',
          required: false,
          order: 1,
          description: t('破损大小', 'Size of the damage'),
          values: [
            { key: 'small', name: t('小于一米', 'under a metre') },
            { key: 'large', name: t('一米以上', 'a metre or more') },
          ],
        },
      ],
    },
    {
      ...base,
      code: 'urban.noise',
      parentCode: 'urban',
      assignable: true,
      kind: 'complaint',
      name: t('噪声扰民', 'Noise'),
      description: t('施工、商业噪声', 'Construction and commercial noise'),
      groupName: urban,
    },
    {
      ...base,
      code: 'urban.suggestion',
      parentCode: 'urban',
      assignable: true,
      kind: 'suggestion',
      name: t('城市管理建议', 'Suggestion on urban management'),
      description: urban,
      groupName: urban,
    },
    {
      ...base,
      code: 'housing',
      parentCode: null,
      assignable: false,
      kind: 'complaint',
      name: housing,
      description: housing,
      groupName: housing,
    },
    {
      ...base,
      code: 'housing.property',
      parentCode: 'housing',
      assignable: true,
      kind: 'complaint',
      name: t('物业服务', 'Property management'),
      description: housing,
      groupName: housing,
    },
    {
      ...base,
      code: 'housing.policy',
      parentCode: 'housing',
      assignable: true,
      kind: 'consultation',
      name: t('住房政策咨询', 'Housing policy question'),
      description: housing,
      groupName: housing,
    },
  ];
}

async function seedComplaints({
  app,
  units,
  passwordHash,
  summary,
  password,
}: DemoSeedContext): Promise<void> {
  const db = app.get(Db);
  await ensureUnits(app.get(OrganisationsService), db, RequestContext.system('demo-seed'), UNITS, units);
  for (const s of COMPLAINT_DEMO_STAFF) {
    await ensureStaff(db, { ...s, home: s.unit }, [{ role: s.role, unit: s.unit }], units, passwordHash);
    summary.accounts.push({ role: s.label, login: s.username, password });
  }
  const handlingUnits = [units.get('urban')!, units.get('housing')!];
  for (const k of categories(units)) await app.get(ComplaintCategoriesService).ensure(k, handlingUnits);
  // The demo orders are there once the road category has any (other orders do not count).
  if (await db.repo(Complaint).exists({ where: { categoryCode: 'urban.road_damage' } })) return;
  await seedOrders(app, units);
}

async function seedOrders(app: INestApplication, units: Map<string, string>): Promise<void> {
  const db = app.get(Db);
  // The hotline operator enters calls (the demo citizens are created after the modules' seeders);
  // the system acts under the demo administrator's id, as the catalogue's seed does.
  const admin = await db.repo(Account).findOneOrFail({ where: { username: 'admin' } });
  const operator = RequestContext.system('demo-seed');
  operator.actor = { ...operator.actor, id: admin.id };
  const complaints = app.get(ComplaintsService);
  const closed = await complaints.file(operator, {
    categoryCode: 'urban.road_damage',
    description: '解放路与人民路交叉口东侧有一个大坑，雨天积水，车辆经过很危险。',
    lat: 39.9087,
    long: 116.3975,
    addressString: '演示市解放路与人民路交叉口',
    attributes: { size: 'large' },
    anonymous: false,
    firstName: '三',
    lastName: '张',
    phone: '13800000001',
    channel: 'hotline',
  });
  await complaints.file(operator, {
    categoryCode: 'housing.property',
    description: '小区电梯多次故障，物业一直未修。',
    anonymous: false,
    lastName: '李',
    phone: '13800000002',
    channel: 'hotline',
  });
  await complaints.file(new RequestContext('demo-seed-anonymous'), {
    categoryCode: 'urban.noise',
    description: '夜间十一点后仍有施工噪声。',
    lat: 39.91,
    long: 116.4,
    anonymous: true,
    channel: 'mini_program',
  });
  // The first order runs the whole loop: dispatch → sign → reply → callback (satisfied).
  const engine = app.get(WorkflowEngine);
  const caseId = (await db.repo(Complaint).findOneByOrFail({ id: closed.id })).caseId!;
  await engine.act(operator, caseId, 'dispatch', { organisationId: units.get('urban')! });
  await engine.act(operator, caseId, 'sign', {});
  await engine.act(operator, caseId, 'reply', { reason: '已安排养护队于次日修补完毕，感谢您的反映。' });
  await engine.act(operator, caseId, 'callback', { satisfaction: 'satisfied' });
}

registerDemoSeeder({
  name: 'complaints',
  order: 200,
  logins: COMPLAINT_DEMO_STAFF.map((s) => s.username),
  seed: seedComplaints,
});
