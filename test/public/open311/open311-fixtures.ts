import { ComplaintCategoriesService } from '../../../src/modules/public/complaints/complaint-categories.service';
import { RoleName } from '../../../src/modules/platform/identity/staff/role-catalogue';
import { makeUnit, Person, signedInStaff, TEST_REGION, uniq } from '../../identity/staff-fixtures';
import type { TestApp } from '../../support/test-app';

const both = (zh: string, en: string) => ({ 'zh-CN': zh, en });

export interface Open311World {
  /** the dispatch centre (12345 hotline) that receives the category's orders */
  hotline: string;
  /** the bureau the dispatcher sends orders to */
  urban: string;
  /** a category with a form: size (singlevaluelist, required), hazards (multivaluelist), note (text) */
  code: string;
  /** a category without a form */
  plainCode: string;
  /** an API key with open311:submit, one without it, and one revoked */
  key: string;
  weakKey: string;
  revokedKey: string;
  dispatcher: Person;
  handler: Person;
  tok(p: Person): Record<string, string>;
}

/** Two units, two categories, three API keys (issued through POST /v1/api-keys), two clerks. */
export async function open311World(t: TestApp): Promise<Open311World> {
  const { person, tok } = signedInStaff(() => t);
  const gov = await makeUnit(t, '开放311市');
  const hotline = await makeUnit(t, '12345热线', gov);
  const urban = await makeUnit(t, '城管局', gov);
  const code = `o311.road.${uniq()}`;
  const plainCode = `o311.noise.${uniq()}`;
  const categories = t.app.get(ComplaintCategoriesService);
  const base = {
    parentCode: null,
    assignable: true,
    kind: 'complaint' as const,
    groupName: both('城市管理', 'Urban management'),
    organisationId: hotline,
    regionCode: TEST_REGION,
  };
  await categories.ensure(
    {
      ...base,
      code,
      name: both('道路破损', 'Damaged road'),
      description: both('路面坑洼、井盖缺失', 'Potholes, missing manhole covers'),
      keywords: ['pothole', '坑'],
      attributes: [
        {
          code: 'size',
          datatype: 'singlevaluelist',
          required: true,
          order: 1,
          description: both('坑有多大？', 'How large is it?'),
          values: [
            { key: 'small', name: both('小', 'Small') },
            { key: 'large', name: both('大', 'Large') },
          ],
        },
        {
          code: 'hazards',
          datatype: 'multivaluelist',
          required: false,
          order: 2,
          description: both('有何危险？', 'Which hazards?'),
          values: [
            { key: 'traffic', name: both('影响交通', 'Traffic') },
            { key: 'water', name: both('积水', 'Standing water') },
          ],
        },
        {
          code: 'note',
          datatype: 'text',
          required: false,
          order: 3,
          description: both('补充', 'Note'),
          values: [],
        },
      ],
    },
    [urban],
  );
  await categories.ensure(
    {
      ...base,
      code: plainCode,
      name: both('噪声扰民', 'Noise'),
      description: both('夜间施工噪声', 'Night-time construction noise'),
      keywords: [],
      attributes: [],
    },
    [urban],
  );
  const orgAdmin = await person(hotline, [{ role: RoleName.OrgAdmin, unit: hotline }]);
  const newKey = async (scopes: string[]) => {
    const res = await t.http
      .post('/v1/api-keys')
      .set(tok(orgAdmin))
      .send({ name: `open311-${uniq()}`, organisationId: hotline, scopes });
    if (res.status !== 201) throw new Error(`key: ${res.status} ${res.text}`);
    return res.body as { id: string; key: string };
  };
  const key = (await newKey(['open311:submit'])).key;
  const weakKey = (await newKey([])).key;
  const revoked = await newKey(['open311:submit']);
  await t.http.post(`/v1/api-keys/${revoked.id}/revoke`).set(tok(orgAdmin)).expect(200);
  return {
    hotline,
    urban,
    code,
    plainCode,
    key,
    weakKey,
    revokedKey: revoked.key,
    dispatcher: await person(hotline, [{ role: RoleName.Clerk, unit: hotline }]),
    handler: await person(urban, [{ role: RoleName.Clerk, unit: urban }]),
    tok,
  };
}

/** Row counts of what a POST may write: a refused one must leave them as they were. */
export async function writes(t: TestApp): Promise<Record<string, number>> {
  const [row] = await t.db.query<Record<string, string>>(
    `SELECT (SELECT count(*) FROM complaint) AS complaints, (SELECT count(*) FROM complaint_update) AS updates,
            (SELECT count(*) FROM case_file) AS cases, (SELECT count(*) FROM case_task) AS tasks`,
  );
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}
