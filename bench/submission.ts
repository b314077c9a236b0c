/**
 * The application submission scenario (issue 4): a published 即办件 with a small form and no
 * required materials, an active workflow, one citizen; before each load the drafts it will submit
 * are created through the API, and each autocannon request submits the next one with a fresh
 * Idempotency-Key (no replays). The bare twin (bench/bare-server.ts POST /submissions) validates the
 * same form and inserts one row in a transaction: the "bare insert baseline".
 */
import { randomUUID } from 'node:crypto';
import { hash } from '@node-rs/argon2';
import type autocannon from 'autocannon';
import type { Client } from 'pg';
import { Permission } from '../src/api/auth/permission';
import type { WorkflowSpec } from '../src/modules/internal/workflow/workflow-spec';
import { ClockUnit } from '../src/modules/platform/calendar/deadline';

export const SUBMIT_LOGIN = '13900000000';
const SUBMIT_PASSWORD = 'bench-Submit-2026!';
/** what each draft carries and the bare server receives: the form's three fields */
export const SUBMIT_FORM_DATA = { applicantName: '基准申请人', phone: '13900000000', shopArea: 12.5 };

/**
 * Drafts per second of load for the first (warm-up) load; later loads are sized from the rate the
 * previous one reached (1.5× and 50 spare), so a faster API does not run out and a slow one does
 * not spend minutes creating drafts it never submits. BENCH_SUBMIT_DRAFTS fixes the count instead.
 */
const DRAFTS_PER_SECOND = Number(process.env.BENCH_SUBMIT_DRAFTS_PER_SECOND ?? 200);
const DRAFT_CONCURRENCY = 20;

const zh = (text: string, en: string) => ({ 'zh-CN': text, en });

/** instantSpec() of test/support/workflow-fixtures.ts: 受理 → 决定 → 出证 → 办结. */
const SUBMIT_SPEC: WorkflowSpec = {
  start: 'acceptance',
  clock: { supplementNoticeWithin: 5, yellowWithin: 0, escalateOverdue: false },
  stages: [
    {
      key: 'acceptance',
      title: zh('受理', 'Acceptance'),
      assignee: { permission: Permission.CaseHandle, unit: 'handling' },
      actions: [
        { key: 'accept', effect: 'accept', title: zh('受理', 'accept'), to: 'decision' },
        { key: 'refuse', effect: 'refuse', title: zh('不予受理', 'refuse'), reasonRequired: true },
        {
          key: 'request_supplement',
          effect: 'request_supplement',
          title: zh('一次性告知补正', 'supplement'),
        },
      ],
    },
    {
      key: 'decision',
      title: zh('决定', 'Decision'),
      assignee: { permission: Permission.CaseHandle, unit: 'handling' },
      actions: [{ key: 'decide', effect: 'decide', title: zh('当场决定', 'decide'), to: 'issuing' }],
    },
    {
      key: 'issuing',
      title: zh('出证', 'Issuing'),
      assignee: { permission: Permission.CaseHandle, unit: 'handling' },
      actions: [{ key: 'issue', effect: 'issue', title: zh('当场出证', 'issue'), to: 'closed' }],
    },
    {
      key: 'closed',
      title: zh('办结', 'Closed'),
      assignee: { permission: Permission.CaseHandle, unit: 'handling' },
      final: true,
      actions: [],
    },
  ],
};

/** The form the bare server checks by hand (ajv in the API): name and phone required, area optional. */
const SUBMIT_FORM = {
  type: 'object',
  required: ['applicantName', 'phone'],
  additionalProperties: false,
  properties: {
    applicantName: { type: 'string', minLength: 1, maxLength: 50 },
    // personal: sealed in form_personal (AES-256-GCM), opened and sealed again on submit
    phone: { type: 'string', pattern: '^1\\d{10}$', 'x-personal': 'phone' },
    shopArea: { type: 'number', minimum: 0 },
  },
};

const SUBMIT_CONTENT = {
  guide: {
    legalBasis: '《优化营商环境条例》',
    conditions: '持有效身份证件',
    // optional only: the submit path checks required materials, and the bench attaches none
    materials: [{ name: '身份证', source: '申请人自备', copies: 1, form: 'electronic', required: false }],
    legalLimit: { amount: 5, unit: ClockUnit.WorkingDays },
    promisedLimit: { amount: 1, unit: ClockUnit.WorkingDays },
    handlingType: 'promised',
    visitsRequired: 0,
    fees: [],
    onlineDepth: 4,
    places: [{ name: '政务服务中心', address: '基准路 1 号', hours: '周一至周五 9:00-17:00' }],
    steps: ['网上申请', '受理', '决定', '出证'],
    faq: [],
    consultPhone: '0755-12345678',
    supervisionPhone: '12345',
    lifeEvents: ['开办企业'],
    topics: ['市场监管'],
  },
  translations: {
    'zh-CN': { title: '基准即办件', summary: '提交即受理' },
    en: { title: 'Bench instant item', summary: 'Accepted on submission' },
  },
  elder: { summary: '提交即可。', steps: ['填表', '提交'] },
  form: SUBMIT_FORM,
};

/**
 * The submission service (published, active workflow), the citizen who applies and the bare
 * server's table. Runs after the API has migrated the schema and seeded the calendar.
 */
export async function seedSubmission(c: Client): Promise<string> {
  const { rows } = await c.query<{ id: string }>(
    `WITH o AS (SELECT id FROM organisation WHERE region_code = '980000' ORDER BY id LIMIT 1),
     s AS (
       INSERT INTO service (id, organisation_id, region_code, implementation_code, type, target, status,
         current_published_version_id, draft_version_id, title_zh, title_en, life_events, topics, published_at,
         title_terms, search_terms, version, created_at, updated_at)
       SELECT gen_random_uuid(), o.id, '980000', 'BENCH-SUBMIT', 'public_service', 'person', 'published',
         gen_random_uuid(), NULL, '基准即办件', 'Bench instant item', '["开办企业"]'::jsonb, '["市场监管"]'::jsonb,
         now(), ' 基准 即办件 ', ' 身份证 ', 1, now(), now()
       FROM o RETURNING id, organisation_id, current_published_version_id AS vid),
     v AS (
       INSERT INTO service_version (id, service_id, number, state, content, published_at, published_by, version,
         created_at, updated_at)
       SELECT vid, id, 1, 'published', $1::jsonb, now(), NULL, 1, now(), now() FROM s)
     INSERT INTO workflow_definition (id, case_type, subject_key, service_id, organisation_id, number, state, spec,
       created_by, activated_at, version, created_at, updated_at)
     SELECT gen_random_uuid(), 'service', id::text, id, organisation_id, 1, 'active', $2::jsonb, NULL, now(), 1,
       now(), now() FROM s
     RETURNING service_id AS id`,
    [JSON.stringify(SUBMIT_CONTENT), JSON.stringify(SUBMIT_SPEC)],
  );
  // The same argon2id parameters as PasswordService, so login does not rehash.
  const passwordHash = await hash(SUBMIT_PASSWORD, {
    algorithm: 2,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  });
  await c.query(
    `INSERT INTO account (id, kind, status, phone, password_hash, display_name, version, created_at, updated_at)
     VALUES (gen_random_uuid(), 'citizen', 'active', $1, $2, '基准申请人', 1, now(), now())`,
    [SUBMIT_LOGIN, passwordHash],
  );
  await c.query(`CREATE TABLE IF NOT EXISTS bench_submission (id uuid PRIMARY KEY, applicant uuid NOT NULL,
    form jsonb NOT NULL, number text NOT NULL UNIQUE, created_at timestamptz NOT NULL DEFAULT now())`);
  return rows[0].id;
}

/** The citizen's access token (the bench sets ACCESS_TOKEN_TTL to a day, so one login lasts the run). */
export async function loginCitizen(base: string): Promise<string> {
  const res = await fetch(`${base}/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ login: SUBMIT_LOGIN, password: SUBMIT_PASSWORD }),
  });
  if (!res.ok) throw new Error(`bench login failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { accessToken: string }).accessToken;
}

/**
 * Measured-run requests that found no draft left (each then re-submits a submitted one: 409, in
 * non-2xx), and the drafts created for measured runs.
 */
export const submissionShortfall = { requests: 0, drafts: 0 };

/** The last load's consumption, for sizing the next: requests sent, seconds, drafts available. */
/** Per target (the API, the bare twin): each sizes its next load from its own last one. */
const previousOf = new Map<string, { used: () => number; seconds: number; count: number }>();

function draftsFor(target: string, seconds: number): number {
  const fixed = Number(process.env.BENCH_SUBMIT_DRAFTS ?? 0);
  if (fixed) return fixed;
  let rate = DRAFTS_PER_SECOND;
  const previous = previousOf.get(target);
  if (previous) {
    const used = previous.used();
    // ran out: the real rate is unknown but higher; otherwise what it reached
    rate = used >= previous.count ? 2 * (used / previous.seconds) : used / previous.seconds;
  }
  return Math.ceil(seconds * rate * 1.5) + 50;
}

/**
 * Creates the drafts one load of `seconds` will submit (20 at a time, through POST
 * /v1/applications), and returns the autocannon options submitting them one per request.
 */
export async function prepareSubmission(
  base: string,
  token: string,
  serviceId: string,
  seconds: number,
  measured: boolean,
  /** where the load submits a draft: the API's route, or the bare twin's */
  submitPath: (id: string) => string = (id) => `/v1/applications/${id}/submit`,
): Promise<Pick<autocannon.Options, 'requests'>> {
  const target = submitPath('');
  const count = draftsFor(target, seconds);
  const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const ids: string[] = [];
  const body = JSON.stringify({ serviceId, formData: SUBMIT_FORM_DATA });
  const worker = async (): Promise<void> => {
    while (ids.length < count) {
      const res = await fetch(`${base}/v1/applications`, {
        method: 'POST',
        headers: { ...auth, 'idempotency-key': randomUUID() },
        body,
      });
      if (res.status !== 201) throw new Error(`draft: ${res.status} ${await res.text()}`);
      ids.push(((await res.json()) as { id: string }).id);
    }
  };
  await Promise.all(Array.from({ length: DRAFT_CONCURRENCY }, worker));
  let next = 0;
  previousOf.set(target, { used: () => next, seconds, count });
  if (measured) submissionShortfall.drafts += count;
  return {
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          if (next >= ids.length && measured) submissionShortfall.requests++;
          const id = ids[Math.min(next++, ids.length - 1)];
          return {
            ...req,
            method: 'POST',
            path: submitPath(id),
            headers: { ...auth, 'idempotency-key': randomUUID() },
            body: '{}',
          };
        },
      },
    ],
  };
}
