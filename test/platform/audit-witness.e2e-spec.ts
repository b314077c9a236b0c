import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { RequestContext } from '../../src/api/context/request-context';
import { AuditService } from '../../src/modules/platform/audit/audit.service';
import { AUDIT_GUARD_SQL } from '../../src/modules/platform/audit/audit-guard.sql';
import { auditLeafHash } from '../../src/modules/platform/audit/audit-leaf-hash';
import { verifyAuditLog } from '../../src/modules/platform/audit/audit-verifier';
import { runAuditVerify } from '../../src/modules/platform/audit/audit-verify.command';
import {
  formatCheckpointBody,
  generateEd25519,
  publicKeyToVkey,
  signCheckpoint,
  verifyCheckpoint,
  vkeyToPublicKey,
} from '../../src/modules/platform/audit/checkpoint';
import { consistencyProof, rootFromLeafHashes } from '../../src/modules/platform/audit/merkle';
import { loadSigningKey } from '../../src/config/keys/signing-key';
import { CheckpointPublisher } from '../../src/modules/platform/audit/witness/checkpoint-publisher.service';
import { collectWitnessed } from '../../src/modules/platform/audit/witness/witnessed-checkpoints';
import { uuidv7 } from '../../src/database/uuid';
import { describeOnPostgres, startTestApp, TestApp } from '../support/test-app';
import { freePort } from '../support/built-server';

/** s3rver (a real S3 API over the local disk) ships no types; the little used here. */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;
const S3rver = createRequire(__filename)('s3rver') as S3rverCtor;

const BUCKET = 'ow-audit-witness';
/** The default origin, as every spec of the run signs under (one log, one origin). */
const ORIGIN = 'localhost/audit';
/** Used to undo a tampering experiment: the transaction that made it throws this and rolls back. */
class Rollback extends Error {}

/** A foreign log (another agency's) in memory: leaf hashes, its key, signed checkpoints and proofs. */
function foreignLog(origin: string) {
  const key = generateEd25519();
  const leaves: Buffer[] = [];
  return {
    origin,
    vkey: publicKeyToVkey(origin, key.publicKey),
    grow(n: number) {
      for (let i = 0; i < n; i++) leaves.push(randomBytes(32));
    },
    size: () => leaves.length,
    note(size = leaves.length, root = rootFromLeafHashes(leaves.slice(0, size))) {
      return signCheckpoint(formatCheckpointBody(origin, size, root), origin, key.privateKey);
    },
    proof: (m: number, n: number) => consistencyProof(leaves, m, n).map((h) => h.toString('base64')),
  };
}

describe('audit checkpoints witnessed outside the database (issue 10 §5)', () => {
  let t: TestApp;
  let s3: S3rverInstance;
  let s3Dir: string;
  let dataDir: string;
  let audit: AuditService;
  let publicKey: ReturnType<typeof vkeyToPublicKey>['publicKey'];
  let port: number;
  const peerLog = foreignLog('peer-agency.gov.example/audit');
  const logPath = (): string => join(dataDir, 'audit', 'checkpoints.log');
  const logLines = (): Array<{ size: number; note: string }> =>
    existsSync(logPath())
      ? readFileSync(logPath(), 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { size: number; note: string })
      : [];
  const s3Keys = (): string[] => {
    const root = join(s3Dir, BUCKET);
    return existsSync(root)
      ? (readdirSync(root, { recursive: true }) as string[])
          .map((p) => /(audit\/checkpoints\/\d{16}\.checkpoint)\._S3rver_object$/.exec(p)?.[1])
          .filter((k): k is string => !!k)
          .sort()
      : [];
  };
  const witnessed = async () =>
    collectWitnessed(
      { logs: [logPath()], s3: t.config.audit.witness.s3, peers: [], checkpointFiles: [] },
      ORIGIN,
      publicKey,
    );
  async function appendSome(n: number, tag: string): Promise<void> {
    const ctx = RequestContext.system(`witness-test-${tag}`);
    for (let i = 0; i < n; i++)
      await audit.append(ctx, { action: 'test.write', resourceType: 'test', resourceId: `${tag}-${i}` });
  }
  /** The verifier's problems inside a tampering experiment (owner's maintenance bypass), always rolled back. */
  async function tampered(tamper: (q: (sql: string, p?: unknown[]) => Promise<unknown>) => Promise<void>) {
    const outside = await witnessed();
    let result: { withWitnesses: string[]; databaseOnly: string[] } | undefined;
    await expect(
      t.db.transaction(async (m) => {
        await m.query(`SET LOCAL onewindow.audit_maintenance = 'on'`);
        await tamper((sql, p) => m.query(sql, p));
        const q = (sql: string, params?: unknown[]) => m.query(sql, params);
        const keys = new Map([[ORIGIN, publicKey]]);
        result = {
          withWitnesses: (await verifyAuditLog(q, { keys, witnessed: outside.witnessed })).problems,
          databaseOnly: (await verifyAuditLog(q, { keys })).problems,
        };
        throw new Rollback();
      }),
    ).rejects.toBeInstanceOf(Rollback);
    return result!;
  }

  beforeAll(async () => {
    s3Dir = mkdtempSync(join(tmpdir(), 'ow-audit-s3-'));
    dataDir = mkdtempSync(join(tmpdir(), 'ow-audit-data-'));
    s3 = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: BUCKET }],
    });
    const s3Port = (await s3.run()).port;
    port = await freePort();
    const ownVkey = publicKeyToVkey(ORIGIN, loadSigningKey('dev').publicKey);
    t = await startTestApp({
      DATA_DIR: dataDir,
      AUDIT_WITNESS_S3_BUCKET: BUCKET,
      AUDIT_WITNESS_S3_ENDPOINT: `http://127.0.0.1:${s3Port}`,
      AUDIT_WITNESS_S3_REGION: 'cn-north-1',
      AUDIT_WITNESS_S3_ACCESS_KEY_ID: 'S3RVER',
      AUDIT_WITNESS_S3_SECRET_ACCESS_KEY: 'S3RVER',
      AUDIT_WITNESS_S3_FORCE_PATH_STYLE: 'true',
      // This instance witnesses the foreign log, and (to exercise the client over real HTTP) itself.
      AUDIT_WITNESS_TRUSTED_KEYS: `${peerLog.vkey},${ownVkey}`,
      AUDIT_WITNESS_PEERS: `http://127.0.0.1:${port}`,
    });
    await t.app.listen(port, '127.0.0.1');
    audit = t.app.get(AuditService);
    await t.db.query(AUDIT_GUARD_SQL);
    publicKey = vkeyToPublicKey(audit.publicKey().vkey).publicKey;
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
  });

  describe('publishing', () => {
    it('copies each new checkpoint to the log file, S3 and the peer, once', async () => {
      expect(t.config.audit.origin).toBe(ORIGIN);
      const heads = async () =>
        Number((await t.db.query<{ n: string }>('SELECT count(*)::text AS n FROM audit_tree_head'))[0].n);
      const headsBefore = await heads();
      await appendSome(5, `pub-${uuidv7().slice(-6)}`);
      const publisher = t.app.get(CheckpointPublisher);
      const first = await t.http.get('/v1/audit/checkpoint').expect(200);
      await publisher.settled(); // handed to the witnesses in the background
      expect(await heads()).toBe(headsBefore + 1);
      // Asked again: the same head, witnessed already, so nothing is written anywhere.
      const again = await t.http.get('/v1/audit/checkpoint').expect(200);
      await publisher.settled();
      expect(again.body.size).toBe(first.body.size);
      await appendSome(2, `pub-${uuidv7().slice(-6)}`);
      const second = await t.http.get('/v1/audit/checkpoint').expect(200);
      await publisher.settled();
      expect(second.body.size).toBe(first.body.size + 2);

      const lines = logLines();
      expect(lines.map((l) => l.size)).toEqual([first.body.size, second.body.size]);
      expect(lines.map((l) => l.note)).toEqual([first.body.checkpoint, second.body.checkpoint]);
      expect(s3Keys()).toEqual([
        `audit/checkpoints/${String(first.body.size).padStart(16, '0')}.checkpoint`,
        `audit/checkpoints/${String(second.body.size).padStart(16, '0')}.checkpoint`,
      ]);
      const stored = await t.db.query<{ size: string; note: string }>(
        `SELECT size::text AS size, note FROM audit_witnessed w WHERE w.origin = $1 ORDER BY w.size`,
        [ORIGIN],
      );
      expect(stored.map((r) => Number(r.size))).toEqual([first.body.size, second.body.size]);
      const peer = await t.http.get('/v1/audit/witnessed').query({ origin: ORIGIN }).expect(200);
      expect(peer.body).toMatchObject({ origin: ORIGIN, size: second.body.size, checkpoint: stored[1].note });
      expect(peer.body.checkpoint.startsWith(second.body.checkpoint)).toBe(true);
      // The peer's copy carries our signature and its cosignature (here the same key, same name).
      expect(peer.body.checkpoint.split('\n— ').length - 1).toBe(2);
      verifyCheckpoint(peer.body.checkpoint, ORIGIN, publicKey, { origin: ORIGIN });
    });

    it('refuses, and never records, a checkpoint that does not extend the newest witnessed one', async () => {
      const before = logLines();
      const publisher = t.app.get(CheckpointPublisher);
      let outcomes: Awaited<ReturnType<CheckpointPublisher['publish']>> = [];
      await expect(
        t.db.transaction(async (m) => {
          // The database set back to an older tree head (leaves and later heads removed).
          await m.query(`SET LOCAL onewindow.audit_maintenance = 'on'`);
          const [{ size }] = await m.query<{ size: string }[]>(
            'SELECT size::text AS size FROM audit_tree_head h ORDER BY h.size DESC LIMIT 1 OFFSET 1',
          );
          await m.query('DELETE FROM audit_tree_head WHERE size > $1', [size]);
          await m.query('DELETE FROM audit_leaf WHERE seq >= $1', [size]);
          // A fresh publisher, as another instance or this one after a restart has. (Not the peer: on
          // the embedded database this transaction holds the only connection the peer would need.)
          const { witness } = t.config.audit;
          const fresh = new CheckpointPublisher(t.db, {
            ...t.config,
            audit: { ...t.config.audit, witness: { ...witness, peers: [] } },
          });
          outcomes = await fresh.publish();
          throw new Rollback();
        }),
      ).rejects.toBeInstanceOf(Rollback);
      expect(outcomes.map((o) => o.result)).toEqual(['refused', 'refused']);
      for (const o of outcomes)
        expect(o.reason).toMatch(/^rollback: size \d+ is older than the witnessed checkpoint at size \d+$/);
      expect(s3Keys()).toHaveLength(before.length);
      expect(logLines()).toEqual(before);
      expect(publisher.witnesses.map((w) => w.name)).toEqual([
        `file ${logPath()}`,
        `s3://${BUCKET}/audit/checkpoints/`,
        `peer http://127.0.0.1:${port}`,
      ]);
    });

    it('logs a witness it cannot reach as unreachable and leaves it alone for a while', async () => {
      const closed = await freePort();
      const { witness } = t.config.audit;
      const publisher = new CheckpointPublisher(t.db, {
        ...t.config,
        audit: { ...t.config.audit, witness: { ...witness, peers: [`http://127.0.0.1:${closed}`] } },
      });
      const before = logLines();
      const outcomes = await publisher.publish();
      expect(outcomes.map((o) => [o.witness, o.result])).toEqual([
        [`file ${logPath()}`, 'accepted'],
        [`s3://${BUCKET}/audit/checkpoints/`, 'accepted'],
        [`peer http://127.0.0.1:${closed}`, 'unreachable'],
      ]);
      expect(logLines()).toEqual(before); // already held: nothing written again
      expect(await publisher.publish()).toEqual([]); // the peer is not retried at once
      await publisher.onModuleDestroy();
    });

    it('shares the bucket with another instance of the same log, without a false alarm', async () => {
      const { witness } = t.config.audit;
      const otherInstance = new CheckpointPublisher(t.db, {
        ...t.config,
        audit: {
          ...t.config.audit,
          witness: {
            ...witness,
            peers: [],
            file: join(mkdtempSync(join(tmpdir(), 'ow-audit-2-')), 'cp.log'),
          },
        },
      });
      expect((await otherInstance.publish()).map((o) => o.result)).toEqual(['accepted', 'accepted']);
      // This instance signs and uploads a newer head; the other one then finds it in the bucket.
      await appendSome(2, `shared-${uuidv7().slice(-6)}`);
      await audit.checkpoint();
      await t.app.get(CheckpointPublisher).settled();
      const keys = s3Keys();
      expect((await otherInstance.publish()).map((o) => o.result)).toEqual(['accepted', 'accepted']);
      expect(s3Keys()).toEqual(keys);
      await otherInstance.onModuleDestroy();
    });
  });

  describe('audit:verify against the witnessed checkpoints', () => {
    beforeAll(async () => {
      // Two more witnessed checkpoints, so there is an older tree head to roll back to.
      for (const tag of ['a', 'b']) {
        await appendSome(3, `verify-${tag}-${uuidv7().slice(-6)}`);
        await audit.checkpoint();
        await t.app.get(CheckpointPublisher).settled();
      }
    });

    it('finds the log intact and consistent with every witnessed checkpoint', async () => {
      const outside = await witnessed();
      expect(outside.problems).toEqual([]);
      expect(outside.witnessed.length).toBeGreaterThanOrEqual(logLines().length);
      const report = await verifyAuditLog((sql, p) => t.db.query(sql, p), {
        keys: new Map([[ORIGIN, publicKey]]),
        witnessed: outside.witnessed,
      });
      expect(report).toMatchObject({ ok: true, problems: [] });
    });

    it('fails on leaves deleted after a tree head together with the later heads (truncation)', async () => {
      const newest = Math.max(...logLines().map((l) => l.size));
      const { withWitnesses, databaseOnly } = await tampered(async (q) => {
        const [{ size }] = (await q(
          'SELECT size::text AS size FROM audit_tree_head h WHERE h.size < $1 ORDER BY h.size DESC LIMIT 1',
          [newest],
        )) as { size: string }[];
        await q('DELETE FROM audit_tree_head WHERE size > $1', [size]);
        await q('DELETE FROM audit_leaf WHERE seq >= $1', [Number(size) + 1]);
      });
      expect(databaseOnly).toEqual([]); // what the database alone shows: nothing
      expect(withWitnesses).toEqual([
        expect.stringMatching(
          new RegExp(
            `^truncated: the checkpoint at size ${newest} witnessed in .* covers ${newest} leaves, but the log holds only \\d+`,
          ),
        ),
      ]);
    });

    it('fails on a rollback to an older tree head', async () => {
      const newest = Math.max(...logLines().map((l) => l.size));
      let older = 0;
      const { withWitnesses, databaseOnly } = await tampered(async (q) => {
        const [{ size }] = (await q(
          'SELECT size::text AS size FROM audit_tree_head h WHERE h.size < $1 ORDER BY h.size DESC LIMIT 1',
          [newest],
        )) as { size: string }[];
        older = Number(size);
        await q('DELETE FROM audit_tree_head WHERE size > $1', [size]);
        await q('DELETE FROM audit_leaf WHERE seq >= $1', [size]);
      });
      expect(databaseOnly).toEqual([]);
      expect(withWitnesses).toEqual([
        `rolled back: the checkpoint at size ${newest} witnessed in ${logPath()} line ${logLines().findIndex((l) => l.size === newest) + 1} ` +
          `is newer than the log, which ends at ${older} leaves (its newest tree head is at size ${older}); ` +
          `leaves ${older}–${newest - 1} and their tree heads were removed`,
      ]);
    });

    it('fails on a rollback regrown into another history (a fork)', async () => {
      const { withWitnesses, databaseOnly } = await tampered(async (q) => {
        const [{ size }] = (await q(
          'SELECT size::text AS size FROM audit_tree_head h ORDER BY h.size LIMIT 1 OFFSET 1',
        )) as { size: string }[];
        const [{ n }] = (await q('SELECT count(*)::int AS n FROM audit_leaf')) as { n: number }[];
        await q('DELETE FROM audit_tree_head WHERE size > $1', [size]);
        await q('DELETE FROM audit_leaf WHERE seq >= $1', [size]);
        // As many other leaves, correctly hashed: only the witnessed roots can tell.
        for (let seq = Number(size); seq < n; seq++) {
          const fields = {
            seq,
            at: new Date(),
            actorKind: 'system',
            actorId: 'forger',
            onBehalfOf: null,
            organisationId: null,
            action: 'test.forged',
            resourceType: 'test',
            resourceId: null,
            subjectId: null,
            purpose: null,
            legalBasis: null,
            channel: null,
            requestId: null,
            hiddenUntil: null,
          };
          await q(
            `INSERT INTO audit_leaf (seq, at, actor_kind, actor_id, action, resource_type, leaf_hash)
             VALUES ($1, $2, 'system', 'forger', 'test.forged', 'test', $3)`,
            [seq, fields.at, auditLeafHash(fields)],
          );
        }
      });
      expect(databaseOnly).toEqual([]);
      expect(withWitnesses.length).toBeGreaterThan(0);
      for (const p of withWitnesses)
        expect(p).toMatch(/^forked: the log's first \d+ leaves do not match the checkpoint witnessed in /);
    });

    it('reports a line of the checkpoint log that our key did not sign', async () => {
      const other = foreignLog(ORIGIN);
      other.grow(2);
      const path = join(mkdtempSync(join(tmpdir(), 'ow-audit-log-')), 'checkpoints.log');
      writeFileSync(path, `${JSON.stringify({ size: 2, note: other.note() })}\nnot json\n{"size":3,`);
      const outside = await collectWitnessed(
        { logs: [path], s3: null, peers: [], checkpointFiles: [] },
        ORIGIN,
        publicKey,
      );
      expect(outside.witnessed).toEqual([]);
      // the torn last line (a write cut short) is not a problem
      expect(outside.problems).toEqual([
        `checkpoint log ${path} line 1: note has no signature by ${ORIGIN}`,
        expect.stringMatching(new RegExp(`^checkpoint log ${path} line 2: `)),
      ]);
    });

    describeOnPostgres('the built command in its own process (node dist/scripts/audit-verify.js)', () => {
      const root = resolve(__dirname, '..', '..');
      const entry = join(root, 'dist', 'scripts', 'audit-verify.js');
      const node = existsSync(join(root, 'node_modules', '.bin', 'node'))
        ? join(root, 'node_modules', '.bin', 'node')
        : process.execPath;
      const newest = (dir: string): number =>
        readdirSync(dir, { withFileTypes: true }).reduce((n, e) => {
          const p = join(dir, e.name);
          return Math.max(
            n,
            e.isDirectory() ? newest(p) : /(?<!\.spec)\.ts$/.test(e.name) ? statSync(p).mtimeMs : 0,
          );
        }, 0);

      beforeAll(() => {
        // As process.e2e-spec: build only when dist/ is older than a source file (CI builds first).
        const sources = Math.max(newest(join(root, 'src')), newest(join(root, 'scripts')));
        if (existsSync(entry) && statSync(entry).mtimeMs >= sources) return;
        const built = spawnSync(
          node,
          [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'],
          {
            cwd: root,
            encoding: 'utf8',
            timeout: 240_000,
          },
        );
        if (built.status !== 0) throw new Error(`nest build failed:\n${built.stdout}\n${built.stderr}`);
      }, 300_000);

      const run = (args: string[], env: Record<string, string>) =>
        spawnSync(node, [entry, ...args], {
          cwd: root,
          encoding: 'utf8',
          timeout: 60_000,
          env: { PATH: process.env.PATH, ...env },
        });

      it('exits 1 and names a truncation behind a witnessed checkpoint; 0 when intact; 2 when it cannot run', async () => {
        const [{ n }] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_leaf');
        const path = join(mkdtempSync(join(tmpdir(), 'ow-audit-cp-')), 'checkpoint');
        const key = loadSigningKey('dev').privateKey;
        writeFileSync(
          path,
          signCheckpoint(formatCheckpointBody(ORIGIN, n + 500, randomBytes(32)), ORIGIN, key),
        );
        const env = { DATABASE_URL: process.env.OW_TEST_DATABASE_URL! };
        const vkey = audit.publicKey().vkey;

        const bad = run(['--vkey', vkey, '--checkpoint', path], env);
        expect(bad.stdout).toMatch(
          new RegExp(`^(truncated|rolled back): the checkpoint at size ${n + 500} witnessed in ${path}`, 'm'),
        );
        expect(bad.stdout).toMatch(/^audit log NOT intact: 1 problem\(s\)/m);
        expect(bad.status).toBe(1);

        const good = run(['--vkey', vkey, '--witness-log', logPath()], env);
        expect(good.stdout).toMatch(
          /^audit log intact: \d+ leaves, \d+ tree heads, [1-9]\d* witnessed checkpoint/m,
        );
        expect(good.status).toBe(0);

        const unusable = run(['--vkey', vkey], {});
        expect(unusable.stderr).toMatch(/^audit:verify: DATABASE_URL is not set/);
        expect(unusable.status).toBe(2);
      }, 120_000);
    });

    describeOnPostgres('as a process would run it (npm run audit:verify)', () => {
      const run = async (argv: string[]) => {
        const lines: string[] = [];
        const code = await runAuditVerify(
          ['--vkey', audit.publicKey().vkey, ...argv],
          { DATABASE_URL: process.env.OW_TEST_DATABASE_URL },
          (l) => lines.push(l),
        );
        return { code, lines };
      };
      const signed = (size: number, root: Buffer): string => {
        const path = join(mkdtempSync(join(tmpdir(), 'ow-audit-cp-')), 'checkpoint');
        const key = loadSigningKey('dev').privateKey;
        writeFileSync(path, signCheckpoint(formatCheckpointBody(ORIGIN, size, root), ORIGIN, key));
        return path;
      };

      it('exits 0 when the log holds every witnessed checkpoint', async () => {
        const { code, lines } = await run(['--witness-log', logPath(), '--peer', `http://127.0.0.1:${port}`]);
        expect(lines.at(-1)).toMatch(
          /^audit log intact: \d+ leaves, \d+ tree heads, \d+ witnessed checkpoint/,
        );
        expect(code).toBe(0);
      });

      it('exits 1 naming a witnessed checkpoint the log no longer reaches, or no longer matches', async () => {
        const [{ n }] = await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_leaf');
        const beyond = signed(n + 1_000_000, randomBytes(32));
        const forked = signed(3, randomBytes(32));
        const { code, lines } = await run(['--checkpoint', beyond, '--checkpoint', forked]);
        expect(code).toBe(1);
        expect(lines).toEqual(
          expect.arrayContaining([
            `forked: the log's first 3 leaves do not match the checkpoint witnessed in ${forked} (the log was rolled back and rewritten)`,
            expect.stringMatching(
              new RegExp(
                `^(truncated|rolled back): the checkpoint at size ${n + 1_000_000} witnessed in ${beyond}`,
              ),
            ),
          ]),
        );
        expect(lines.at(-1)).toMatch(/^audit log NOT intact: 2 problem\(s\)/);
      });
    });
  });

  describe('POST /v1/audit/witness (this instance as witness for another log)', () => {
    const post = (body: object) => t.http.post('/v1/audit/witness').send(body);
    const rows = () =>
      t.db.query<{ size: string }>(
        'SELECT size::text AS size FROM audit_witnessed w WHERE w.origin = $1 ORDER BY w.size',
        [peerLog.origin],
      );

    it('cosigns a first checkpoint, then one that a consistency proof shows extends it', async () => {
      peerLog.grow(5);
      const first = await post({ oldSize: 0, proof: [], checkpoint: peerLog.note() }).expect(200);
      expect(first.body).toMatchObject({
        origin: peerLog.origin,
        size: 5,
        witnessVkey: audit.publicKey().vkey,
      });
      // our cosignature over the same text, checkable with our published key
      verifyCheckpoint(first.body.checkpoint, ORIGIN, publicKey);
      verifyCheckpoint(first.body.checkpoint, peerLog.origin, vkeyToPublicKey(peerLog.vkey).publicKey);

      peerLog.grow(6);
      const next = await post({ oldSize: 5, proof: peerLog.proof(5, 11), checkpoint: peerLog.note() }).expect(
        200,
      );
      expect(next.body.size).toBe(11);
      // the same checkpoint again is answered from what is stored
      await post({ oldSize: 5, proof: peerLog.proof(5, 11), checkpoint: peerLog.note() }).expect(200);
      expect((await rows()).map((r) => Number(r.size))).toEqual([5, 11]);
      const latest = await t.http.get('/v1/audit/witnessed').query({ origin: peerLog.origin }).expect(200);
      expect(latest.body).toEqual(next.body);
    });

    it('refuses a rollback, a fork and a stale old size with 409 and the size it holds', async () => {
      const held = peerLog.size();
      const rollback = await post({
        oldSize: 5,
        proof: peerLog.proof(5, 8),
        checkpoint: peerLog.note(8),
      }).expect(409);
      expect(rollback.headers['x-witness-size']).toBe(String(held));
      expect(rollback.body).toMatchObject({ code: 'AUDIT_WITNESS_CONFLICT', status: 409 });
      expect(rollback.body.detail).toMatch(/rollback/);

      const fork = await post({ oldSize: held, proof: [], checkpoint: peerLog.note(held, randomBytes(32)) });
      expect(fork.status).toBe(409);
      expect(fork.body.detail).toMatch(/fork/);

      peerLog.grow(3);
      const badProof = peerLog.proof(held, held + 3).map(() => randomBytes(32).toString('base64'));
      const forkProof = await post({ oldSize: held, proof: badProof, checkpoint: peerLog.note() }).expect(
        409,
      );
      expect(forkProof.body.detail).toMatch(/fork/);

      const stale = await post({ oldSize: 5, proof: peerLog.proof(5, held + 3), checkpoint: peerLog.note() });
      expect(stale.status).toBe(409);
      expect(stale.headers['x-witness-size']).toBe(String(held));
      expect(stale.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((await rows()).map((r) => Number(r.size))).toEqual([5, held]);
    });

    it('refuses unknown logs (404), bad signatures (403) and malformed requests (400), storing nothing', async () => {
      const stranger = foreignLog('stranger.gov.example/audit');
      stranger.grow(2);
      const unknown = await post({ oldSize: 0, proof: [], checkpoint: stranger.note() }).expect(404);
      expect(unknown.body.code).toBe('NOT_FOUND');

      const impostor = foreignLog(peerLog.origin); // same origin, another key
      impostor.grow(30);
      const forged = await post({ oldSize: 0, proof: [], checkpoint: impostor.note() }).expect(403);
      expect(forged.body).toMatchObject({ code: 'AUDIT_CHECKPOINT_REJECTED', status: 403 });

      for (const body of [
        {},
        { oldSize: -1, proof: [], checkpoint: peerLog.note() },
        { oldSize: 0, proof: ['not base64'], checkpoint: peerLog.note() },
        { oldSize: 0, proof: [], checkpoint: 'x'.repeat(9000) },
        { oldSize: peerLog.size() + 1, proof: [], checkpoint: peerLog.note() },
        { oldSize: 0, proof: [], checkpoint: peerLog.note(), extra: 1 },
      ]) {
        const res = await post(body);
        expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      }
      const notes = await t.http.get('/v1/audit/witnessed').query({ origin: 'stranger.gov.example/audit' });
      expect(notes.status).toBe(404);
      await t.http.get('/v1/audit/witnessed').query({ origin: 'bad origin' }).expect(400);
      expect((await rows()).length).toBe(2);
    });
  });
});
