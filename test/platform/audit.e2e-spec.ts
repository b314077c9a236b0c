import type { EntityManager } from 'typeorm';
import { Permission } from '../../src/api/auth/permission';
import { RequestContext } from '../../src/api/context/request-context';
import { uuidv7 } from '../../src/database/uuid';
import { Client } from 'pg';
import { AUDIT_SEQUENCER_LOCK, AuditService } from '../../src/modules/platform/audit/audit.service';
import { AuditQueryService } from '../../src/modules/platform/audit/audit-query.service';
import { AUDIT_GUARD_SQL } from '../../src/modules/platform/audit/audit-guard.sql';
import { auditLeafHash } from '../../src/modules/platform/audit/audit-leaf-hash';
import { AuditLeafRow, leafFieldsOf, verifyAuditLog } from '../../src/modules/platform/audit/audit-verifier';
import { verifyCheckpoint, vkeyToPublicKey } from '../../src/modules/platform/audit/checkpoint';
import { verifyConsistency, verifyInclusion } from '../../src/modules/platform/audit/merkle';
import { OrganisationKind, RegionLevel } from '../../src/modules/platform/organisations/organisation.entity';
import { OrganisationsService } from '../../src/modules/platform/organisations/organisations.service';
import { JobsService } from '../../src/modules/platform/jobs/jobs.service';
import { JobWorker } from '../../src/modules/platform/jobs/job-worker.service';
import { describeOnPostgres, startTestApp, TestApp } from '../support/test-app';
import { scopedToken } from '../support/tokens';

const b64 = (s: string): Buffer => Buffer.from(s, 'base64');
const suffix = (): string => uuidv7().slice(-8);
/** Used to undo a tampering experiment: the transaction that made it throws this and rolls back. */
class Rollback extends Error {}

function ctxOf(
  kind: 'staff' | 'client' | 'citizen',
  grants: Permission[] = [],
  organisationId: string | null = null,
): RequestContext {
  const ctx = new RequestContext(`audit-test-${uuidv7()}`, 'zh-CN', 'console');
  ctx.actor = { kind, id: uuidv7(), organisationId, grants: new Map(grants.map((p) => [p, '*' as const])) };
  return ctx;
}

describe('audit log (P5, E6)', () => {
  let t: TestApp;
  let audit: AuditService;
  let keys: Map<string, ReturnType<typeof vkeyToPublicKey>['publicKey']>;
  let auditor: string;
  let citizen: string;

  const leavesBy = (requestId: string): Promise<AuditLeafRow[]> =>
    t.db.query<AuditLeafRow>('SELECT * FROM audit_leaf WHERE request_id = $1 ORDER BY seq', [requestId]);
  const verify = (m?: EntityManager) =>
    verifyAuditLog((sql, params) => (m ? m.query(sql, params) : t.db.query(sql, params)), {
      keys,
      batchSize: 7,
    });
  /** Runs a tampering experiment with the maintenance bypass in a transaction that is always rolled back. */
  async function tampered(sql: string, params: unknown[]): Promise<string[]> {
    let problems: string[] = [];
    await expect(
      t.db.transaction(async (m) => {
        await m.query(`SET LOCAL onewindow.audit_maintenance = 'on'`);
        await m.query(sql, params);
        problems = (await verify(m)).problems;
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    return problems;
  }
  async function appendSome(n: number, tag: string): Promise<void> {
    const ctx = ctxOf('staff');
    for (let i = 0; i < n; i++)
      await audit.append(ctx, { action: 'test.write', resourceType: 'test', resourceId: `${tag}-${i}` });
  }

  beforeAll(async () => {
    t = await startTestApp();
    audit = t.app.get(AuditService);
    await t.db.query(AUDIT_GUARD_SQL);
    const pk = vkeyToPublicKey(audit.publicKey().vkey);
    keys = new Map([[pk.name, pk.publicKey]]);
    auditor = await scopedToken(t, 'staff', [Permission.AuditRead]);
    citizen = await scopedToken(t, 'citizen', [Permission.SelfService]);
    // Leaves enough for several tree levels, whatever ran before.
    await appendSome(40, `setup-${suffix()}`);
  });
  afterAll(() => t.close());

  describe('appends', () => {
    it('records a committed organisation create as one leaf with the actor, request and channel, and no personal data', async () => {
      const staff = uuidv7();
      const token = await scopedToken(t, 'staff', [Permission.OrganisationManage], staff);
      const code = `9${String(Date.now()).slice(-5)}`;
      await t.http
        .post('/v1/regions')
        .set('Authorization', `Bearer ${token}`)
        .send({ code, name: `审计区${code}`, level: RegionLevel.Province })
        .expect(201);
      const requestId = `org-create-${suffix()}`;
      const phone = '0571-88886666';
      const email = `audit-${suffix()}@example.gov.cn`;
      const res = await t.http
        .post('/v1/organisations')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-Id', requestId)
        .set('X-Channel', 'console')
        .send({
          name: `审计测试局${suffix()}`,
          kind: OrganisationKind.Agency,
          regionCode: code,
          contacts: { phone, email },
        })
        .expect(201);

      const leaves = await leavesBy(requestId);
      expect(leaves).toHaveLength(1);
      const leaf = leaves[0];
      expect(leaf).toMatchObject({
        actor_kind: 'staff',
        actor_id: staff,
        action: 'organisation.create',
        resource_type: 'organisation',
        resource_id: res.body.id,
        subject_id: null,
        channel: 'console',
        request_id: requestId,
        hidden_until: null,
      });
      const text = JSON.stringify(leaf);
      for (const personal of [phone, email, res.body.name]) expect(text).not.toContain(personal);
      // The stored hash is the hash of the stored fields.
      expect(leaf.leaf_hash.equals(auditLeafHash(leafFieldsOf(leaf)))).toBe(true);
    });

    it('records an organisation update in the same transaction', async () => {
      const token = await scopedToken(t, 'staff', [Permission.OrganisationManage]);
      const [region] = await t.db.query<{ code: string }>('SELECT code FROM region LIMIT 1');
      const created = await t.http
        .post('/v1/organisations')
        .set('Authorization', `Bearer ${token}`)
        .send({ name: `审计更新局${suffix()}`, kind: OrganisationKind.Agency, regionCode: region.code })
        .expect(201);
      const requestId = `org-update-${suffix()}`;
      await t.http
        .put(`/v1/organisations/${created.body.id}`)
        .set('Authorization', `Bearer ${token}`)
        .set('If-Match', `"v${created.body.version}"`)
        .set('X-Request-Id', requestId)
        .send({
          name: `${created.body.name}二`,
          kind: OrganisationKind.Agency,
          regionCode: region.code,
          active: true,
        })
        .expect(200);
      const leaves = await leavesBy(requestId);
      expect(leaves.map((l) => [l.action, l.resource_id])).toEqual([
        ['organisation.update', created.body.id],
      ]);
    });

    it('writes nothing when the business transaction rolls back, and the sequence number is reused (no gap)', async () => {
      const before = await audit.committedSize();
      const ctx = ctxOf('staff', [Permission.OrganisationManage]);
      const [region] = await t.db.query<{ code: string }>('SELECT code FROM region LIMIT 1');
      const name = `回滚测试局${suffix()}`;
      await expect(
        t.db.transaction(async () => {
          await t.app
            .get(OrganisationsService)
            .create(ctx, { name, kind: OrganisationKind.Agency, regionCode: region.code });
          // Sequenced at commit (Db.deferToCommit): not written yet, so the sequencer lock is not held.
          expect(await leavesBy(ctx.requestId)).toHaveLength(0);
          throw new Rollback();
        }),
      ).rejects.toBeInstanceOf(Rollback);
      expect(await leavesBy(ctx.requestId)).toHaveLength(0);
      expect(await t.db.query('SELECT 1 FROM organisation WHERE name = $1', [name])).toHaveLength(0);
      expect(await audit.committedSize()).toBe(before);

      await audit.append(ctx, { action: 'test.after-rollback', resourceType: 'test' });
      const [leaf] = await leavesBy(ctx.requestId);
      expect(Number(leaf.seq)).toBe(before);
    });

    it('writes nothing for a request refused by validation', async () => {
      const token = await scopedToken(t, 'staff', [Permission.OrganisationManage]);
      const requestId = `org-bad-${suffix()}`;
      await t.http
        .post('/v1/organisations')
        .set('Authorization', `Bearer ${token}`)
        .set('X-Request-Id', requestId)
        .send({ name: `无效区划局${suffix()}`, kind: OrganisationKind.Agency, regionCode: '000000' })
        .expect(400);
      expect(await leavesBy(requestId)).toHaveLength(0);
    });

    it('gives concurrent appenders dense, distinct sequence numbers', async () => {
      const before = await audit.committedSize();
      const ctxs = Array.from({ length: 12 }, () => ctxOf('client'));
      await Promise.all(
        ctxs.map((c, i) =>
          audit.append(c, { action: 'test.concurrent', resourceType: 'test', resourceId: `c-${i}` }),
        ),
      );
      const seqs = (await Promise.all(ctxs.map((c) => leavesBy(c.requestId))))
        .map(([l]) => Number(l.seq))
        .sort((a, b) => a - b);
      expect(seqs).toEqual(Array.from({ length: 12 }, (_, i) => before + i));
    });

    it('hashes ids as the database stores them (upper-case uuids, long system request ids)', async () => {
      const ctx = RequestContext.system(`nightly.${'x'.repeat(90)}`);
      ctx.actor.organisationId = uuidv7().toUpperCase();
      const subject = uuidv7();
      await audit.append(ctx, {
        action: 'account.reindex',
        resourceType: 'account',
        subjectId: subject.toUpperCase(),
      });
      const [leaf] = await leavesBy(ctx.requestId);
      expect(leaf.subject_id).toBe(subject);
      expect(leaf.leaf_hash.equals(auditLeafHash(leafFieldsOf(leaf)))).toBe(true);
    });

    it('refuses entries that could carry personal data or break the hash', async () => {
      const ctx = ctxOf('staff');
      await expect(
        audit.append(ctx, { action: 'account.read', resourceType: 'account', subjectId: '张三' }),
      ).rejects.toThrow(/subjectId/);
      await expect(audit.append(ctx, { action: 'read', resourceType: 'account' })).rejects.toThrow(/action/);
      await expect(
        audit.append(ctx, { action: 'a.b', resourceType: 'x', purpose: 'p'.repeat(201) }),
      ).rejects.toThrow(/purpose/);
      await expect(
        audit.append(ctx, { action: 'a.b', resourceType: 'x', purpose: 'bad \ud800 text' }),
      ).rejects.toThrow(/purpose/);
      expect(await leavesBy(ctx.requestId)).toHaveLength(0);
    });
  });

  describe('sequencing through the queue', () => {
    const queuedBy = (requestId: string) =>
      t.db.query<{ id: string }>(`SELECT id FROM audit_queue WHERE fields->>'requestId' = $1`, [requestId]);
    async function until(check: () => Promise<boolean>, what: string): Promise<void> {
      for (const end = Date.now() + 8000; !(await check());) {
        if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    }
    /** A leaf as an instance that stopped between its commit and its batch leaves it. */
    async function leftQueued(action: string): Promise<RequestContext> {
      const ctx = ctxOf('client');
      await t.db.query(`INSERT INTO audit_queue (at, fields) VALUES (now(), $1::jsonb)`, [
        JSON.stringify({
          actorKind: 'client',
          actorId: ctx.actor.id,
          onBehalfOf: null,
          organisationId: null,
          action,
          resourceType: 'test',
          resourceId: null,
          subjectId: null,
          purpose: null,
          legalBasis: null,
          channel: 'console',
          requestId: ctx.requestId,
          hiddenUntil: '2031-01-02T03:04:05.678Z',
        }),
      ]);
      return ctx;
    }

    it('numbers a leaf left queued at the next checkpoint, with the right hash', async () => {
      const before = await audit.committedSize();
      const ctx = await leftQueued('test.left-queued');
      const res = await t.http.get('/v1/audit/checkpoint').expect(200);
      expect(res.body.size).toBe(before + 1);
      const [leaf] = await leavesBy(ctx.requestId);
      expect(Number(leaf.seq)).toBe(before);
      expect(leaf.hidden_until?.toISOString()).toBe('2031-01-02T03:04:05.678Z');
      expect(leaf.leaf_hash.equals(auditLeafHash(leafFieldsOf(leaf)))).toBe(true);
      expect(await queuedBy(ctx.requestId)).toHaveLength(0);
      expect((await verify()).problems).toEqual([]);
    });

    it('numbers a leaf left queued without any new write (the periodic sweep)', async () => {
      const ctx = await leftQueued('test.swept');
      await until(async () => (await leavesBy(ctx.requestId)).length === 1, 'the sweep');
      expect(await queuedBy(ctx.requestId)).toHaveLength(0);
    });

    describeOnPostgres('while another connection holds the sequencer lock', () => {
      let holder: Client;
      beforeEach(async () => {
        holder = new Client({ connectionString: process.env.OW_TEST_DATABASE_URL });
        await holder.connect();
        await holder.query('BEGIN');
        await holder.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_SEQUENCER_LOCK]);
      });
      afterEach(async () => {
        await holder.query('ROLLBACK').catch(() => undefined);
        await holder.end();
      });

      it('commits the change and queues its leaf without waiting, then answers once the leaf is numbered', async () => {
        const token = await scopedToken(t, 'staff', [Permission.OrganisationManage]);
        const [region] = await t.db.query<{ code: string }>('SELECT code FROM region LIMIT 1');
        const requestId = `org-queued-${suffix()}`;
        const name = `排队审计局${suffix()}`;
        let answered = false;
        const request = t.http
          .post('/v1/organisations')
          .set('Authorization', `Bearer ${token}`)
          .set('X-Request-Id', requestId)
          .send({ name, kind: OrganisationKind.Agency, regionCode: region.code })
          .then((r) => ((answered = true), r));
        // The business transaction did not wait for the lock: it committed, its leaf in the queue.
        await until(async () => (await queuedBy(requestId)).length === 1, 'the queued leaf');
        expect(await t.db.query('SELECT 1 FROM organisation WHERE name = $1', [name])).toHaveLength(1);
        expect(await leavesBy(requestId)).toHaveLength(0);
        await new Promise((r) => setTimeout(r, 100));
        expect(answered).toBe(false);

        const before = await audit.committedSize();
        await holder.query('COMMIT');
        const res = await request;
        expect(res.status).toBe(201);
        const [leaf] = await leavesBy(requestId);
        expect(leaf).toMatchObject({ action: 'organisation.create', resource_id: res.body.id });
        expect(Number(leaf.seq)).toBe(before);
        expect(leaf.leaf_hash.equals(auditLeafHash(leafFieldsOf(leaf)))).toBe(true);
        expect(await queuedBy(requestId)).toHaveLength(0);
      });

      it('numbers concurrent queued writers densely in one batch, each leaf once', async () => {
        const before = await audit.committedSize();
        const ctxs = Array.from({ length: 10 }, () => ctxOf('client'));
        const appends = Promise.all(
          ctxs.map((c, i) =>
            audit.append(c, { action: 'test.queued', resourceType: 'test', resourceId: `q-${i}` }),
          ),
        );
        await until(
          async () =>
            (await t.db.query(`SELECT 1 FROM audit_queue WHERE fields->>'action' = 'test.queued'`)).length ===
            10,
          'ten queued leaves',
        );
        await holder.query('COMMIT');
        await appends;
        const seqs = (await Promise.all(ctxs.map((c) => leavesBy(c.requestId))))
          .map((leaves) => leaves.map((l) => Number(l.seq)))
          .flat()
          .sort((a, b) => a - b);
        expect(seqs).toEqual(Array.from({ length: 10 }, (_, i) => before + i));
        expect(await t.db.query(`SELECT 1 FROM audit_queue WHERE fields->>'action' = 'test.queued'`)).toEqual(
          [],
        );
        expect((await verify()).problems).toEqual([]);
      });
    });
  });

  describe('checkpoints and proofs', () => {
    it('serves a signed checkpoint over every committed leaf, verifiable with the published key', async () => {
      await appendSome(3, `cp-${suffix()}`);
      const key = await t.http.get('/v1/audit/public-key').expect(200);
      expect(key.body).toMatchObject({ algorithm: 'Ed25519', keyName: audit.origin });
      expect(key.body.publicKeyPem).toContain('BEGIN PUBLIC KEY');
      const res = await t.http.get('/v1/audit/checkpoint').expect(200);
      expect(res.body.vkey).toBe(key.body.vkey);
      const pk = vkeyToPublicKey(key.body.vkey);
      const cp = verifyCheckpoint(res.body.checkpoint, pk.name, pk.publicKey, { origin: audit.origin });
      expect(cp.size).toBe(res.body.size);
      expect(cp.root.toString('base64')).toBe(res.body.rootHash);
      expect(res.body.size).toBe(await audit.committedSize());
      const [row] = await t.db.query<{ root_hash: Buffer }>(
        'SELECT root_hash FROM audit_tree_head WHERE size = $1',
        [res.body.size],
      );
      expect(row.root_hash.equals(cp.root)).toBe(true);

      // Asking again without new leaves signs nothing new.
      const heads = await t.db.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_tree_head');
      await t.http.get('/v1/audit/checkpoint').expect(200);
      expect(await t.db.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_tree_head')).toEqual(
        heads,
      );
    });

    it('refuses to checkpoint inside a transaction that appended (it could sign a leaf that rolls back)', async () => {
      await expect(
        t.db.transaction(async () => {
          await audit.append(ctxOf('staff'), { action: 'test.write', resourceType: 'test' });
          await audit.checkpoint();
        }),
      ).rejects.toThrow(/cannot run in a transaction that appended/);
    });

    it('serves leaves to auditors, with a leaf hash that recomputes from the fields', async () => {
      const ctx = ctxOf('staff');
      await audit.append(ctx, {
        action: 'account.read',
        resourceType: 'account',
        subjectId: uuidv7(),
        purpose: '核验',
        legalBasis: 'law-x',
      });
      const [row] = await leavesBy(ctx.requestId);
      const res = await t.http
        .get(`/v1/audit/leaves/${row.seq}`)
        .set('Authorization', `Bearer ${auditor}`)
        .expect(200);
      expect(res.body).toMatchObject({
        seq: Number(row.seq),
        action: 'account.read',
        purpose: '核验',
        legalBasis: 'law-x',
        actorKind: 'staff',
      });
      const fields = { ...res.body, at: new Date(res.body.at), hiddenUntil: null };
      expect(auditLeafHash(fields).toString('base64')).toBe(res.body.leafHash);
    });

    it('refuses leaves to callers without audit:read and answers bad or unknown indices', async () => {
      await t.http.get('/v1/audit/leaves/0').expect(401);
      await t.http.get('/v1/audit/leaves/0').set('Authorization', `Bearer ${citizen}`).expect(403);
      for (const bad of ['abc', '-1', '1.5', '01', '1e3', '99999999999999999999']) {
        const res = await t.http
          .get(`/v1/audit/leaves/${bad}`)
          .set('Authorization', `Bearer ${auditor}`)
          .expect(400);
        expect(res.body.errors.length).toBeGreaterThan(0);
        expect(res.body.errors.every((e: { pointer: string }) => e.pointer === '/seq')).toBe(true);
      }
      const size = await audit.committedSize();
      const res = await t.http
        .get(`/v1/audit/leaves/${size + 1000}`)
        .set('Authorization', `Bearer ${auditor}`)
        .expect(404);
      expect(res.body.code).toBe('NOT_FOUND');
      await t.http
        .get(`/v1/audit/leaves/${size + 1000}/inclusion-proof`)
        .set('Authorization', `Bearer ${auditor}`)
        .expect(404);
      await t.http
        .get('/v1/audit/leaves/01/inclusion-proof')
        .set('Authorization', `Bearer ${auditor}`)
        .expect(400);
    });

    it('hides leaves of other units from auditors scoped to a unit', async () => {
      const unit = uuidv7();
      const scoped = ctxOf('staff', [Permission.AuditRead]);
      scoped.actor.grants = new Map([[Permission.AuditRead, new Set([unit])]]);
      const ctx = ctxOf('staff', [], uuidv7());
      await audit.append(ctx, { action: 'test.write', resourceType: 'test' });
      const [row] = await leavesBy(ctx.requestId);
      await expect(
        t.app.get(AuditQueryService).leaf(ctxOf('staff', [Permission.AuditRead]), Number(row.seq)),
      ).resolves.toMatchObject({ seq: Number(row.seq) });
      await expect(t.app.get(AuditQueryService).leaf(scoped, Number(row.seq))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });

      // Scoped to the acting unit (or a unit above it): visible.
      const admin = ctxOf('staff', [Permission.OrganisationManage]);
      const [region] = await t.db.query<{ code: string }>('SELECT code FROM region LIMIT 1');
      const org = await t.app.get(OrganisationsService).create(admin, {
        name: `审计范围局${suffix()}`,
        kind: OrganisationKind.Agency,
        regionCode: region.code,
      });
      const inUnit = ctxOf('staff', [], org.id);
      await audit.append(inUnit, { action: 'test.write', resourceType: 'test' });
      const [own] = await leavesBy(inUnit.requestId);
      scoped.actor.grants = new Map([[Permission.AuditRead, new Set([org.id])]]);
      await expect(t.app.get(AuditQueryService).leaf(scoped, Number(own.seq))).resolves.toMatchObject({
        organisationId: org.id,
      });
      await expect(t.app.get(AuditQueryService).leaf(scoped, Number(row.seq))).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });

    it('proves inclusion of several leaves against the signed checkpoint', async () => {
      const cp = (await t.http.get('/v1/audit/checkpoint').expect(200)).body;
      const root = b64(cp.rootHash);
      for (const seq of [0, 1, Math.floor(cp.size / 2), cp.size - 2, cp.size - 1]) {
        const leaf = await t.http
          .get(`/v1/audit/leaves/${seq}`)
          .set('Authorization', `Bearer ${auditor}`)
          .expect(200);
        const proof = await t.http
          .get(`/v1/audit/leaves/${seq}/inclusion-proof`)
          .set('Authorization', `Bearer ${auditor}`)
          .expect(200);
        expect(proof.body).toMatchObject({ leafIndex: seq, treeSize: cp.size });
        const hashes = proof.body.hashes.map(b64);
        expect(verifyInclusion(b64(leaf.body.leafHash), seq, cp.size, hashes, root)).toBe(true);
        if (hashes.length)
          expect(verifyInclusion(b64(leaf.body.leafHash), seq, cp.size, hashes.slice(1), root)).toBe(false);
      }
    });

    it('proves inclusion against an older tree head given as treeSize, and after leaves were added since', async () => {
      const old = await audit.checkpoint();
      await appendSome(5, `later-${suffix()}`);
      for (const seq of [0, old.size - 1]) {
        const leaf = await t.http
          .get(`/v1/audit/leaves/${seq}`)
          .set('Authorization', `Bearer ${auditor}`)
          .expect(200);
        const proof = await t.http
          .get(`/v1/audit/leaves/${seq}/inclusion-proof?treeSize=${old.size}`)
          .set('Authorization', `Bearer ${auditor}`)
          .expect(200);
        expect(
          verifyInclusion(b64(leaf.body.leafHash), seq, old.size, proof.body.hashes.map(b64), old.rootHash),
        ).toBe(true);
      }
      // The default signs a new checkpoint covering the new leaves.
      const last = (await audit.committedSize()) - 1;
      const proof = await t.http
        .get(`/v1/audit/leaves/${last}/inclusion-proof`)
        .set('Authorization', `Bearer ${auditor}`)
        .expect(200);
      expect(proof.body.treeSize).toBe(last + 1);
    });

    it('refuses bad tree sizes for inclusion proofs with field errors', async () => {
      const size = await audit.committedSize();
      const cases: [string, string][] = [
        ['treeSize=0', '/treeSize'],
        ['treeSize=abc', '/treeSize'],
        ['treeSize=-3', '/treeSize'],
        ['treeSize=2.5', '/treeSize'],
        [`treeSize=${size + 1}`, '/treeSize'],
        ['treeSize=5', '/treeSize'], // not greater than the leaf index 5
        ['treeSize=10&extra=1', '/extra'],
      ];
      for (const [query, pointer] of cases) {
        const res = await t.http
          .get(`/v1/audit/leaves/5/inclusion-proof?${query}`)
          .set('Authorization', `Bearer ${auditor}`)
          .expect(400);
        expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      }
    });

    it('proves consistency between two checkpoints to anyone', async () => {
      const first = await audit.checkpoint();
      await appendSome(9, `grow-${suffix()}`);
      const second = await audit.checkpoint();
      expect(second.size).toBe(first.size + 9);
      const res = await t.http
        .get(`/v1/audit/consistency-proof?from=${first.size}&to=${second.size}`)
        .expect(200);
      expect(res.body).toMatchObject({ from: first.size, to: second.size });
      const hashes = res.body.hashes.map(b64);
      expect(verifyConsistency(first.size, second.size, first.rootHash, second.rootHash, hashes)).toBe(true);
      expect(verifyConsistency(first.size, second.size, second.rootHash, second.rootHash, hashes)).toBe(
        false,
      );
      // Every earlier head is a prefix of the latest one.
      const heads = await t.db.query<{ size: string; root_hash: Buffer }>(
        'SELECT size::text AS size, root_hash FROM audit_tree_head WHERE size > 0 ORDER BY size',
      );
      for (const h of heads.slice(-6)) {
        const p = await t.http
          .get(`/v1/audit/consistency-proof?from=${h.size}&to=${second.size}`)
          .expect(200);
        expect(
          verifyConsistency(
            Number(h.size),
            second.size,
            h.root_hash,
            second.rootHash,
            p.body.hashes.map(b64),
          ),
        ).toBe(true);
      }
    });

    it('refuses bad consistency-proof sizes with field errors', async () => {
      const size = await audit.committedSize();
      const cases: [string, string][] = [
        ['', '/from'],
        ['from=1', '/to'],
        ['from=x&to=2', '/from'],
        ['from=-1&to=2', '/from'],
        ['from=1e1&to=20', '/from'],
        ['from=3&to=2', '/from'],
        [`from=1&to=${size + 1}`, '/to'],
      ];
      for (const [query, pointer] of cases) {
        const res = await t.http.get(`/v1/audit/consistency-proof?${query}`).expect(400);
        expect(res.body.errors.map((e: { pointer: string }) => e.pointer)).toContain(pointer);
      }
    });

    it('signs checkpoints periodically through the job table', async () => {
      const jobs = t.app.get(JobsService, { strict: false });
      expect(jobs.handlerNames()).toContain('audit.checkpoint');
      await appendSome(2, `job-${suffix()}`);
      await jobs.enqueue('audit.checkpoint', {}, { dedupeKey: 'audit.checkpoint' });
      await t.app.get(JobWorker, { strict: false }).drain();
      const latest = await audit.latestHead();
      expect(latest!.size).toBe(await audit.committedSize());
      const next = await t.db.query<{ run_at: Date }>(
        `SELECT run_at FROM job WHERE name = 'audit.checkpoint' AND status = 'pending'`,
      );
      expect(next).toHaveLength(1);
      expect(next[0].run_at.getTime()).toBeGreaterThan(Date.now() + 4 * 60_000);
    });
  });

  describe('tamper evidence', () => {
    let seq: number;
    let head: number;

    beforeAll(async () => {
      await appendSome(20, `tamper-${suffix()}`);
      head = (await audit.checkpoint()).size;
      seq = head - 7;
    });

    it('finds an intact log intact', async () => {
      const report = await verify();
      expect(report.problems).toEqual([]);
      expect(report).toMatchObject({ ok: true, leaves: await audit.committedSize() });
      expect(report.treeHeads).toBeGreaterThan(2);
    });

    it('refuses UPDATE, DELETE and TRUNCATE of leaves and tree heads without the maintenance bypass', async () => {
      await expect(
        t.db.query('UPDATE audit_leaf SET purpose = $1 WHERE seq = $2', ['x', seq]),
      ).rejects.toThrow(/append-only/);
      await expect(t.db.query('DELETE FROM audit_leaf WHERE seq = $1', [seq])).rejects.toThrow(/append-only/);
      await expect(t.db.query('TRUNCATE audit_leaf')).rejects.toThrow(/append-only/);
      await expect(
        t.db.query('UPDATE audit_tree_head SET note = $1 WHERE size = $2', ['x', head]),
      ).rejects.toThrow(/append-only/);
      await expect(t.db.query('DELETE FROM audit_tree_head WHERE size = $1', [head])).rejects.toThrow(
        /append-only/,
      );
      expect((await verify()).ok).toBe(true);
    });

    it('pinpoints a leaf whose purpose was changed', async () => {
      const problems = await tampered('UPDATE audit_leaf SET purpose = $1 WHERE seq = $2', [
        '改过的目的',
        seq,
      ]);
      expect(problems).toEqual([`leaf ${seq}: hash mismatch (field changed)`]);
    });

    it('tells a rewritten leaf_hash from a changed field', async () => {
      const problems = await tampered('UPDATE audit_leaf SET leaf_hash = $1 WHERE seq = $2', [
        Buffer.alloc(32, 1),
        seq,
      ]);
      expect(problems).toEqual([`leaf ${seq}: hash mismatch (leaf_hash changed, fields intact)`]);
    });

    it('catches a leaf rewritten with a matching hash through the signed root', async () => {
      const [row] = await t.db.query<AuditLeafRow>('SELECT * FROM audit_leaf WHERE seq = $1', [seq]);
      const forged = { ...leafFieldsOf(row), purpose: 'forged' };
      const problems = await tampered('UPDATE audit_leaf SET purpose = $1, leaf_hash = $2 WHERE seq = $3', [
        'forged',
        auditLeafHash(forged),
        seq,
      ]);
      const [{ first }] = await t.db.query<{ first: string }>(
        'SELECT min(size)::text AS first FROM audit_tree_head WHERE size > $1',
        [seq],
      );
      expect(problems[0]).toBe(`tree head size ${first}: root mismatch`);
      expect(problems).toContain(`tree head size ${head}: root mismatch`);
      expect(problems.every((p) => p.endsWith('root mismatch'))).toBe(true);
    });

    it('reports a deleted leaf as missing, first', async () => {
      const problems = await tampered('DELETE FROM audit_leaf WHERE seq = $1', [seq]);
      expect(problems[0]).toBe(`leaf ${seq} missing`);
      const last = head - 1;
      const tail = await tampered('DELETE FROM audit_leaf WHERE seq >= $1', [last]);
      expect(tail).toContain(`leaf ${last} missing`);
    });

    it('reports a tree head whose root or signature was altered', async () => {
      const root = await tampered('UPDATE audit_tree_head SET root_hash = $1 WHERE size = $2', [
        Buffer.alloc(32, 2),
        head,
      ]);
      expect(root).toEqual([
        `tree head size ${head}: root mismatch (stored root differs from the signed checkpoint)`,
      ]);
      const [{ note }] = await t.db.query<{ note: string }>(
        'SELECT note FROM audit_tree_head WHERE size = $1',
        [head],
      );
      const forgedNote = note.replace(/\n\d+\n/, `\n${head + 1}\n`);
      const sig = await tampered('UPDATE audit_tree_head SET note = $1 WHERE size = $2', [forgedNote, head]);
      expect(sig).toEqual([expect.stringMatching(new RegExp(`^tree head size ${head}: bad signature`))]);
    });

    it('is intact again after every experiment rolled back', async () => {
      expect((await verify()).ok).toBe(true);
    });
  });
});
