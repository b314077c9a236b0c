import { ComplaintCategoriesService } from '../../../src/modules/public/complaints/complaint-categories.service';
import { RoleName } from '../../../src/modules/platform/identity/staff/role-catalogue';
import {
  auth,
  makeCitizen,
  makeUnit,
  Person,
  signedInStaff,
  signIn,
  TEST_REGION,
  uniq,
} from '../../identity/staff-fixtures';
import type { TestApp } from '../../support/test-app';

/** The cast of the complaints specs: a city with its 12345 centre and two bureaus, staff in each, citizens. */
export interface ComplaintsCast {
  units: { gov: string; hotline: string; urban: string; housing: string; other: string };
  dispatcher: Person;
  handlerUrban: Person;
  handlerHousing: Person;
  supervisor: Person;
  otherClerk: Person;
  manager: Person;
  citizen: Person;
  stranger: Person;
  /** Authorization headers by person id (staff and citizens) */
  tok(p: Person): Record<string, string>;
  /** category codes: road (complaint, with a required attribute), noise (complaint), policy (consultation) */
  codes: { road: string; noise: string; policy: string };
}

export async function complaintsCast(t: TestApp): Promise<ComplaintsCast> {
  const staff = signedInStaff(() => t);
  const gov = await makeUnit(t, '市政府');
  const hotline = await makeUnit(t, '12345热线', gov);
  const urban = await makeUnit(t, '城管局', gov);
  const housing = await makeUnit(t, '住建局', gov);
  const other = await makeUnit(t, '外区');
  const tokens = new Map<string, Record<string, string>>();
  const person = async (home: string, role: RoleName, unit: string) => {
    const p = await staff.person(home, [{ role, unit }]);
    tokens.set(p.id, staff.tok(p));
    return p;
  };
  const citizenOf = async () => {
    const c = await makeCitizen(t);
    tokens.set(c.id, auth(await signIn(t, c, 'citizen')));
    return c;
  };
  const cast = {
    units: { gov, hotline, urban, housing, other },
    dispatcher: await person(hotline, RoleName.Clerk, hotline),
    handlerUrban: await person(urban, RoleName.Clerk, urban),
    handlerHousing: await person(housing, RoleName.Clerk, housing),
    supervisor: await person(gov, RoleName.Supervisor, gov),
    otherClerk: await person(other, RoleName.Clerk, other),
    manager: await person(hotline, RoleName.OrgAdmin, hotline),
    citizen: await citizenOf(),
    stranger: await citizenOf(),
    tok: (p: Person) => tokens.get(p.id)!,
    codes: { road: `c${uniq()}.road`, noise: `c${uniq()}.noise`, policy: `c${uniq()}.policy` },
  };
  const categories = t.app.get(ComplaintCategoriesService);
  const base = {
    organisationId: hotline,
    regionCode: TEST_REGION,
    keywords: [],
    parentCode: null,
    assignable: true,
  };
  const text = (zh: string, en: string) => ({ 'zh-CN': zh, en });
  await categories.ensure(
    {
      ...base,
      code: cast.codes.road,
      kind: 'complaint',
      name: text('道路破损', 'Damaged road'),
      description: text('路面坑洼', 'Potholes'),
      groupName: text('城市管理', 'Urban management'),
      attributes: [
        {
          code: 'size',
          datatype: 'singlevaluelist',
          required: true,
          order: 1,
          description: text('大小', 'Size'),
          values: [
            { key: 'small', name: text('小', 'small') },
            { key: 'large', name: text('大', 'large') },
          ],
        },
      ],
    },
    [urban, housing],
  );
  for (const [code, kind, zh, en] of [
    [cast.codes.noise, 'complaint', '噪声', 'Noise'],
    [cast.codes.policy, 'consultation', '政策咨询', 'Policy question'],
  ] as const)
    await categories.ensure(
      {
        ...base,
        code,
        kind,
        name: text(zh, en),
        description: text(zh, en),
        groupName: text(zh, en),
        attributes: [],
      },
      [urban, housing],
    );
  return cast;
}

/** A valid filing of the road category (real-name unless `anonymous`). */
export const roadFiling = (
  cast: ComplaintsCast,
  over: Record<string, unknown> = {},
): Record<string, unknown> => ({
  categoryCode: cast.codes.road,
  description: `路面有坑 ${uniq()}`,
  lat: 39.9,
  long: 116.4,
  addressString: '解放路 1 号',
  attributes: { size: 'large' },
  anonymous: false,
  lastName: '张',
  firstName: '三',
  phone: '13912345678',
  email: 'zhang.san@example.com',
  channel: 'app',
  ...over,
});

export interface Filed {
  id: string;
  number: string;
  trackingCode: string;
}

/** Files a road order with `over` applied, as `who` (a citizen or staff member) or without a token. */
export const filer =
  (t: () => TestApp, cast: () => ComplaintsCast) =>
  async (over: Record<string, unknown> = {}, who: Person | null = null): Promise<Filed> => {
    const req = t().http.post('/v1/complaints');
    const res = await (who ? req.set(cast().tok(who)) : req).send(roadFiling(cast(), over));
    if (res.status !== 201) throw new Error(`file: ${res.status} ${res.text}`);
    return res.body as Filed;
  };
