import { Citizen, signedInCitizen } from '../identity/citizen-fixtures';
import { gql } from '../identity/graphql-matrix';
import { makeUnit, signedInStaff } from '../identity/staff-fixtures';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';
import { Permission } from '../../src/api/auth/permission';
import { publishServiceWithWorkflow, serviceContent } from '../support/workflow-fixtures';
import { applicationSteps, as } from './applications-helpers';

/**
 * What a citizen reads when a form is refused: per-keyword codes (form.<keyword>) and messages in
 * the caller's language that name the field by its label and give the limit, never a regex.
 */
const label = (zh: string, en: string) => ({ 'x-ui': { label: { 'zh-CN': zh, en } } });
const FORM = {
  type: 'object',
  required: ['name', 'phone', 'agree'],
  additionalProperties: false,
  dependentRequired: { idType: ['idNumber'] },
  properties: {
    name: { type: 'string', minLength: 2, maxLength: 10, ...label('姓名', 'Full name') },
    phone: { type: 'string', pattern: '^1\\d{10}$', title: '手机号码' },
    postcode: {
      type: 'string',
      pattern: '^[0-9]{6}$',
      'x-message': { 'zh-CN': '邮政编码须为 6 位数字', en: 'The postcode must be 6 digits' },
    },
    email: { type: 'string', format: 'email', ...label('电子邮箱', 'E-mail') },
    birthDate: { type: 'string', format: 'date', ...label('出生日期', 'Date of birth') },
    website: { type: 'string', format: 'uri', ...label('网站', 'Website') },
    age: { type: 'integer', minimum: 18, maximum: 120, ...label('年龄', 'Age') },
    area: {
      type: 'number',
      exclusiveMinimum: 0,
      exclusiveMaximum: 1000,
      multipleOf: 0.5,
      ...label('面积', 'Area'),
    },
    kind: { type: 'string', enum: ['individual', 'company'], ...label('类型', 'Kind') },
    agree: { type: 'boolean', const: true, ...label('同意条款', 'Terms') },
    tags: {
      type: 'array',
      items: { type: 'string' },
      minItems: 1,
      maxItems: 3,
      uniqueItems: true,
      ...label('标签', 'Tags'),
    },
    idType: { type: 'string', ...label('证件类型', 'ID type') },
    idNumber: { type: 'string', ...label('证件号码', 'ID number') },
    amount: {
      anyOf: [{ type: 'integer' }, { type: 'string', pattern: '^\\d+$' }],
      ...label('金额', 'Amount'),
    },
    note: { type: 'string' },
    contacts: {
      type: 'object',
      minProperties: 1,
      maxProperties: 2,
      propertyNames: { pattern: '^[a-z]+$' },
      additionalProperties: { type: 'string' },
      ...label('联系方式', 'Contacts'),
    },
    choice: { type: 'string', oneOf: [{ minLength: 1 }, { maxLength: 3 }], ...label('选项', 'Choice') },
    forbidden: false,
    startTime: { type: 'string', format: 'time', ...label('开始时间', 'Start time') },
    at: { type: 'string', format: 'date-time', ...label('预约时间', 'Appointment') },
    host: { type: 'string', format: 'hostname', ...label('域名', 'Domain') },
    ip: { type: 'string', format: 'ipv4', ...label('地址', 'Address') },
    ref: { type: 'string', format: 'uuid', ...label('编号', 'Reference') },
    from: { type: 'string', format: 'date', formatMinimum: '2020-01-01', ...label('起始日期', 'From') },
    pin: { type: 'string', not: { const: '000' }, ...label('密码', 'PIN') },
    scores: {
      type: 'array',
      items: { type: 'integer' },
      contains: { type: 'integer', minimum: 10 },
      ...label('分数', 'Scores'),
    },
    extraInfo: {
      type: 'object',
      properties: { a: { type: 'string' } },
      unevaluatedProperties: false,
    },
    uscc: { type: 'string' },
  },
  if: { properties: { kind: { const: 'company' } }, required: ['kind'] },
  then: {
    properties: { uscc: { type: 'string', minLength: 18, ...label('统一社会信用代码', 'Credit code') } },
    required: ['uscc'],
  },
};

describe('form validation messages (zh-CN, en) with per-keyword codes', () => {
  let t: TestApp;
  let serviceId: string;
  let alice: Citizen;
  const steps = applicationSteps(() => t);
  const staff = signedInStaff(() => t);

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_ANONYMOUS: '100000', RATE_LIMIT_AUTHENTICATED: '100000' });
    const unit = await makeUnit(t, '表单提示区');
    ({ serviceId } = await publishServiceWithWorkflow(t, unit, { content: serviceContent({ form: FORM }) }));
    alice = await signedInCitizen(t);
  });
  afterAll(() => t.close());

  const check = (lang: string, data: unknown) =>
    t.http.post(`/v1/services/${serviceId}/form-validation`).set('Accept-Language', lang).send({ data });

  type Row = [pointer: string, code: string, zh: string, en: string];
  /** Every keyword of FORM broken at once, and what each answer must say. */
  const BAD = {
    name: 'x',
    phone: '123',
    postcode: 'abc',
    email: 'nope',
    birthDate: '2025-13-40',
    website: 'not a uri',
    age: 12.5,
    area: 1000.3,
    kind: 'other',
    agree: false,
    tags: ['a', 'a', 'b', 'c'],
    idType: 'passport',
    amount: 'lots',
    extra: 1,
  };
  const BAD_ROWS: Row[] = [
    [
      '/',
      'form.dependentRequired',
      '填写了“证件类型”时，还须填写“证件号码”',
      'ID number is required when ID type is filled in',
    ],
    ['/age', 'form.minimum', '“年龄”不得小于 18', 'Age must be at least 18'],
    ['/age', 'form.type', '“年龄”须为整数', 'Age must be a whole number'],
    ['/agree', 'form.const', '须勾选“同意条款”', 'Terms must be accepted'],
    [
      '/amount',
      'form.anyOf',
      '“金额”不符合任何一种可选的填写方式',
      'Amount does not match any of the allowed ways to fill it in',
    ],
    ['/area', 'form.exclusiveMaximum', '“面积”须小于 1000', 'Area must be less than 1000'],
    ['/area', 'form.multipleOf', '“面积”须为 0.5 的整数倍', 'Area must be a multiple of 0.5'],
    [
      '/birthDate',
      'form.format',
      '“出生日期”须为有效的日期，如 2025-06-01',
      'Date of birth must be a valid date, such as 2025-06-01',
    ],
    ['/email', 'form.format', '“电子邮箱”须为有效的电子邮箱地址', 'E-mail must be a valid e-mail address'],
    ['/extra', 'form.additionalProperties', '此表单中没有这一项', 'This form has no such field'],
    [
      '/kind',
      'form.enum',
      '“类型”须为以下之一：individual、company',
      'Kind must be one of: individual, company',
    ],
    ['/name', 'form.minLength', '“姓名”至少须填写 2 个字符', 'Full name must be at least 2 characters'],
    // a title only, no translation: the title is the name in both languages; never the regex
    ['/phone', 'form.pattern', '“手机号码”的格式不正确', '手机号码 is not in a valid format'],
    // the service's own x-message, in the caller's language
    ['/postcode', 'form.pattern', '邮政编码须为 6 位数字', 'The postcode must be 6 digits'],
    ['/tags', 'form.maxItems', '“标签”最多只能有 3 项', 'Tags must have at most 3 items'],
    ['/tags', 'form.uniqueItems', '“标签”的第 2 项与第 1 项重复', 'Items 2 and 1 of Tags are the same'],
    ['/website', 'form.format', '“网站”须为有效的网址', 'Website must be a valid web address'],
  ];
  /** The other side of each limit, the missing fields, and a field with no name at all. */
  const OTHER = { name: 'y'.repeat(11), age: 200, area: 0, tags: [], note: 5, contacts: {} };
  const OTHER_ROWS: Row[] = [
    ['/age', 'form.maximum', '“年龄”不得大于 120', 'Age must be at most 120'],
    ['/contacts', 'form.minProperties', '“联系方式”至少须填写 1 项', 'Contacts must have at least 1 entry'],
    ['/agree', 'form.required', '请填写“同意条款”', 'Terms is required'],
    ['/area', 'form.exclusiveMinimum', '“面积”须大于 0', 'Area must be greater than 0'],
    ['/name', 'form.maxLength', '“姓名”最多只能填写 10 个字符', 'Full name must be at most 10 characters'],
    ['/note', 'form.type', '此项须为文本', 'This field must be text'],
    ['/phone', 'form.required', '请填写“手机号码”', '手机号码 is required'],
    ['/tags', 'form.minItems', '“标签”至少须有 1 项', 'Tags must have at least 1 item'],
  ];
  /** The rarer keywords and the other formats. */
  const RARE = {
    name: '张三',
    phone: '13800000000',
    agree: true,
    kind: 'company',
    contacts: { Bad: 'x', b: 'y', c: 'z' },
    choice: 'ab',
    forbidden: 1,
    startTime: '25:00',
    at: 'tomorrow',
    host: '-bad-',
    ip: '999.1.1.1',
    ref: 'abc',
    from: '2019-12-31',
    pin: '000',
    scores: [1, 2],
    extraInfo: { a: 'x', b: 'y' },
  };
  const RARE_ROWS: Row[] = [
    [
      '/',
      'form.if',
      '此项不符合所选情形下的要求',
      'This field does not meet the requirements for the chosen case',
    ],
    [
      '/at',
      'form.format',
      '“预约时间”须为有效的日期和时间，如 2025-06-01 08:30:00+08:00',
      'Appointment must be a valid date and time, such as 2025-06-01 08:30:00+08:00',
    ],
    [
      '/choice',
      'form.oneOf',
      '“选项”同时符合多种填写方式，只能符合其中一种',
      'Choice matches more than one of the allowed ways to fill it in; it must match exactly one',
    ],
    [
      '/contacts',
      'form.maxProperties',
      '“联系方式”最多只能填写 2 项',
      'Contacts must have at most 2 entries',
    ],
    [
      '/contacts',
      'form.propertyNames',
      '“联系方式”中有名称不符合要求的项',
      'Contacts has entries whose names are not allowed',
    ],
    ['/extraInfo/b', 'form.unevaluatedProperties', '此表单中没有这一项', 'This form has no such field'],
    ['/forbidden', 'form.notAllowed', '不允许填写此项', 'This field is not allowed'],
    ['/from', 'form.formatMinimum', '“起始日期”不得早于 2020-01-01', 'From must not be before 2020-01-01'],
    ['/host', 'form.format', '“域名”须为有效的域名', 'Domain must be a valid domain name'],
    ['/ip', 'form.format', '“地址”须为有效的 IP 地址', 'Address must be a valid IP address'],
    ['/pin', 'form.not', '“密码”的取值不被允许', 'PIN has a value that is not allowed'],
    ['/ref', 'form.format', '“编号”须为有效的 UUID', 'Reference must be a valid UUID'],
    [
      '/scores',
      'form.contains',
      '“分数”中至少须有 1 项符合要求',
      'Scores must have at least 1 matching item',
    ],
    [
      '/startTime',
      'form.format',
      '“开始时间”须为有效的时间，如 08:30:00+08:00',
      'Start time must be a valid time, such as 08:30:00+08:00',
    ],
    // required by `then`, named by the label the `then` schema gives it
    ['/uscc', 'form.required', '请填写“统一社会信用代码”', 'Credit code is required'],
  ];
  const expected = (rows: Row[], lang: 'zh' | 'en', prefix = '') =>
    rows.map(([pointer, code, zh, en]) => ({
      pointer: prefix + (pointer === '/' ? '' : pointer) || '/',
      code,
      message: lang === 'zh' ? zh : en,
    }));
  const sorted = (errors: Array<{ pointer: string; code: string }>) =>
    [...errors].sort((a, b) => `${a.pointer} ${a.code}`.localeCompare(`${b.pointer} ${b.code}`));

  it('answers form-validation in zh-CN (the default) with a code and a readable message per keyword', async () => {
    for (const [data, rows] of [
      [BAD, BAD_ROWS],
      [OTHER, OTHER_ROWS],
      [RARE, RARE_ROWS],
    ] as const) {
      const zh = await check('zh-CN', data).expect(200);
      expect(zh.body.valid).toBe(false);
      expect(sorted(zh.body.errors)).toEqual(sorted(expected(rows, 'zh')));
      const unstated = await t.http
        .post(`/v1/services/${serviceId}/form-validation`)
        .send({ data })
        .expect(200);
      expect(unstated.body).toEqual(zh.body);
    }
  });

  it('answers form-validation in English when asked, with the same codes and pointers', async () => {
    for (const [data, rows] of [
      [BAD, BAD_ROWS],
      [OTHER, OTHER_ROWS],
      [RARE, RARE_ROWS],
    ] as const) {
      const en = await check('en-GB,en;q=0.9', data).expect(200);
      expect(en.body.valid).toBe(false);
      expect(sorted(en.body.errors)).toEqual(sorted(expected(rows, 'en')));
    }
    const ok = await check('en', { name: '张三', phone: '13800000000', agree: true }).expect(200);
    expect(ok.body).toEqual({ valid: true, errors: [] });
  });

  it('refuses a REST submission with the same codes under /formData, in the caller language; nothing changes', async () => {
    const d = await steps.draft(alice, serviceId, BAD);
    await steps.attach(alice, d.id, '身份证');
    for (const [lang, key] of [
      ['zh-CN', 'zh'],
      ['en', 'en'],
    ] as const) {
      const res = await t.http
        .post(`/v1/applications/${d.id}/submit`)
        .set(as(alice))
        .set('Accept-Language', lang)
        .expect(400);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(sorted(res.body.errors)).toEqual(sorted(expected(BAD_ROWS, key, '/formData')));
    }
    const [row] = await t.db.query<{ status: string; number: string | null }>(
      'SELECT status, number FROM application WHERE id = $1',
      [d.id],
    );
    expect(row).toEqual({ status: 'draft', number: null });
  });

  it('refuses a GraphQL submission with the same codes and messages in extensions', async () => {
    const d = await steps.draft(alice, serviceId, OTHER);
    await steps.attach(alice, d.id, '身份证');
    const SUBMIT = 'mutation($id: ID!) { submitApplication(id: $id) { id status } }';
    for (const [lang, key] of [
      ['zh-CN', 'zh'],
      ['en', 'en'],
    ] as const) {
      const res = await gql(t, { ...as(alice), 'Accept-Language': lang }, SUBMIT, { id: d.id });
      expect(res.data).toBeNull();
      const ext = res.errors![0].extensions as {
        code: string;
        errors: Array<{ pointer: string; code: string }>;
      };
      expect(ext.code).toBe('VALIDATION_FAILED');
      expect(sorted(ext.errors)).toEqual(sorted(expected(OTHER_ROWS, key, '/formData')));
    }
    const [row] = await t.db.query<{ status: string }>('SELECT status FROM application WHERE id = $1', [
      d.id,
    ]);
    expect(row.status).toBe('draft');
  });

  it('refuses a supplement answer whose merged form is invalid, in the caller language', async () => {
    const unit = await makeUnit(t, '表单提示补正区');
    const other = (await publishServiceWithWorkflow(t, unit, { content: serviceContent({ form: FORM }) }))
      .serviceId;
    const clerk = await staff.person(unit, [{ role: RoleName.Clerk, unit }]);
    const a = await steps.submitted(alice, other, { name: '张三', phone: '13800000000', agree: true });
    await steps.act(staff.tok(clerk), a.id, 'request_supplement', {
      items: [{ field: 'age', description: '请填写年龄' }],
    });
    const res = await t.http
      .post(`/v1/applications/${a.id}/supplement`)
      .set(as(alice))
      .set('Accept-Language', 'en')
      .send({ formData: { age: 12 } })
      .expect(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors).toEqual([
      { pointer: '/formData/age', code: 'form.minimum', message: 'Age must be at least 18' },
    ]);
    const [row] = await t.db.query<{ status: string }>('SELECT status FROM application WHERE id = $1', [
      a.id,
    ]);
    expect(row.status).toBe('supplement_required');
  });

  it('names a missing resource in the caller language (no "未找到该service")', async () => {
    const missing = '01890000-0000-7000-8000-000000000000';
    const zh = await t.http.get(`/v1/services/${missing}`).expect(404);
    expect(zh.body).toMatchObject({ code: 'NOT_FOUND', detail: '未找到该事项，或您无权访问。' });
    const en = await t.http.get(`/v1/services/${missing}`).set('Accept-Language', 'en').expect(404);
    expect(en.body).toMatchObject({
      code: 'NOT_FOUND',
      detail: 'The service was not found or you may not access it.',
    });
  });

  it('checks x-message when the form is saved: per-language text only, zh-CN at least', async () => {
    const token = await scopedToken(t, 'staff', [Permission.CatalogManage]);
    const unit = await makeUnit(t, '表单提示乙区');
    for (const bad of ['须为 6 位数字', { en: 'Six digits' }, { 'zh-CN': '须为数字', fr: 'chiffres' }]) {
      const code = `XM-${Math.random().toString(36).slice(2, 10)}`;
      const form = { type: 'object', properties: { postcode: { type: 'string', 'x-message': bad } } };
      const res = await t.http
        .post('/v1/catalog/services')
        .set('Authorization', `Bearer ${token}`)
        .send({
          organisationId: unit,
          implementationCode: code,
          type: 'administrative_licence',
          target: 'person',
          draft: serviceContent({ form }),
        });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect(res.body.errors[0]).toMatchObject({
        pointer: '/draft/form/properties/postcode/x-message',
        code: 'formSchema',
      });
      const [n] = await t.db.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM service WHERE implementation_code = $1',
        [code],
      );
      expect(n.n).toBe(0);
    }
    const good = {
      type: 'object',
      properties: { postcode: { type: 'string', 'x-message': { 'zh-CN': '须为 6 位数字' } } },
    };
    const saved = await t.http
      .post('/v1/catalog/services')
      .set('Authorization', `Bearer ${token}`)
      .send({
        organisationId: unit,
        implementationCode: `XM-${Math.random().toString(36).slice(2, 10)}`,
        type: 'administrative_licence',
        target: 'person',
        draft: serviceContent({ form: good }),
      });
    expect(saved.status).toBe(201);
  });
});
