import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnModuleDestroy,
  OnModuleInit,
  Optional,
} from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { contextStore } from '../../../api/context/context-store';
import { RequestContext } from '../../../api/context/request-context';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { UUID_RE } from '../../../database/uuid';
import { JobsService } from '../jobs/jobs.service';
import { AuditLeaf, AuditQueued, AuditTreeHead, QueuedLeafFields } from './audit.entity';
import { auditLeafHash, AuditLeafFields } from './audit-leaf-hash';
import { extendTree, Query, SubtreeBuilder } from './audit-tree';
import {
  addNoteSignature,
  formatCheckpointBody,
  noteKeyId,
  publicKeyToVkey,
  signCheckpoint,
} from './checkpoint';
import { loadSigningKey, SigningKey } from '../../../config/keys/signing-key';
import { CheckpointPublisher } from './witness/checkpoint-publisher.service';

/** What a service records; who, when, through which channel and request come from the RequestContext. */
export interface AuditEntry {
  /** `<resource>.<verb>`, e.g. organisation.create, account.read */
  action: string;
  resourceType: string;
  resourceId?: string | null;
  /** account uuid whose personal data was read or changed; never a name or an ID number */
  subjectId?: string | null;
  /** the reason shown to the data subject (≤ 200 characters) */
  purpose?: string | null;
  /** legal basis code or citation */
  legalBasis?: string | null;
  /** lawful covert access: hidden from the subject until then */
  hiddenUntil?: Date | null;
}

/** pg_advisory_xact_lock keys: one sequencer for every appender, one for checkpoint writers. */
export const AUDIT_SEQUENCER_LOCK = 0x4f57_4155_4454; // "OWAUDT"
export const AUDIT_CHECKPOINT_LOCK = AUDIT_SEQUENCER_LOCK + 1;
export const AUDIT_CHECKPOINT_JOB = 'audit.checkpoint';

/** Leaves numbered per sequencing transaction (more wait for the next one). */
const SEQUENCE_BATCH = 500;
/** How often an instance numbers leaves left queued by a crash or a failed batch. */
const SWEEP_MS = 2_000;

/** Leaves with their sequence numbers from `first` on and their hashes. */
function numbered(leaves: Array<Omit<AuditLeafFields, 'seq' | 'at'>>, at: Date, first: number): AuditLeaf[] {
  return leaves.map((leaf, i) => {
    const fields: AuditLeafFields = { ...leaf, seq: first + i, at };
    return { ...fields, leafHash: auditLeafHash(fields) };
  });
}

const ACTION_RE = /^[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_-]*)+$/;
const RESOURCE_TYPE_RE = /^[a-z][a-z0-9_.-]{0,49}$/;
const RESOURCE_ID_RE = /^[A-Za-z0-9._:/@-]{1,100}$/;
// Lone surrogates and NUL cannot be stored as text (the driver would alter them and break the hash).
// eslint-disable-next-line no-control-regex
const UNSTORABLE_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/;

export interface PublicKeyInfo {
  keyName: string;
  algorithm: 'Ed25519';
  keyId: string;
  vkey: string;
  publicKeyPem: string;
}

/**
 * The audit log's writer: appends leaves in the caller's transaction (dense sequence numbers under an
 * advisory lock, or through a queue when that lock is busy) and signs C2SP checkpoints over the
 * committed prefix.
 */
@Injectable()
export class AuditService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly log = new Logger('AuditService');
  private readonly key: SigningKey;
  private readonly keyInfo: PublicKeyInfo;
  readonly origin: string;
  /** Transactions that appended a leaf: a checkpoint inside one would sign a leaf that may still roll back. */
  private readonly appendedIn = new WeakSet<EntityManager>();
  /** leaves appended in an open transaction, written together just before it commits */
  private readonly pending = new WeakMap<EntityManager, Array<Omit<AuditLeafFields, 'seq' | 'at'>>>();

  constructor(
    private readonly db: Db,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly publisher: CheckpointPublisher,
    @Optional() private readonly jobs?: JobsService,
  ) {
    this.key = loadSigningKey(config.signingKeyPem);
    this.origin = config.audit.origin;
    this.keyInfo = {
      keyName: this.origin,
      algorithm: 'Ed25519',
      keyId: noteKeyId(this.origin, this.key.publicKey).toString(16).padStart(8, '0'),
      vkey: publicKeyToVkey(this.origin, this.key.publicKey),
      publicKeyPem: this.key.publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    };
  }

  onModuleInit(): void {
    // Periodic checkpoints through the durable job table; the handler re-enqueues itself.
    this.jobs?.register(AUDIT_CHECKPOINT_JOB, async () => {
      await this.checkpoint();
      await this.scheduleCheckpoint(new Date(Date.now() + this.config.audit.checkpointMinutes * 60_000));
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (this.jobs && this.config.jobs.enabled) await this.scheduleCheckpoint(new Date());
    // Leaves left queued by an instance that stopped between its commit and its batch.
    this.sweep = setInterval(() => void this.sweepQueue(), SWEEP_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
  }

  private sweep?: NodeJS.Timeout;

  private async sweepQueue(): Promise<void> {
    const [waiting] = await this.db.query('SELECT 1 FROM audit_queue LIMIT 1').catch(() => []);
    if (waiting) await this.sequenceQueued();
  }

  private async scheduleCheckpoint(runAt: Date): Promise<void> {
    await this.jobs!.enqueue(
      AUDIT_CHECKPOINT_JOB,
      {},
      { runAt, dedupeKey: AUDIT_CHECKPOINT_JOB, maxAttempts: 5 },
    );
  }

  /**
   * Appends a leaf inside the caller's transaction (or a new one), so the record commits with the
   * change it describes or not at all. The leaves of one transaction are written together at its
   * very end (Db.deferToCommit). Sequencing is Trillian's, with a fast path:
   * - when the sequencer's advisory lock is free, the transaction takes it and numbers its leaves
   *   itself (max(seq) + 1, dense; a rollback gives the numbers back), holding it to COMMIT;
   * - when it is busy, the leaves go to audit_queue without waiting, and once the transaction has
   *   committed the caller waits for a batch (sequenceQueued) that numbers every queued leaf under
   *   one lock. Busy writers thus share one sequencing step and commit in parallel instead of
   *   queueing through each other's COMMIT.
   * Either way the leaf is in the log when the caller's transaction() returns.
   */
  async append(ctx: RequestContext, entry: AuditEntry): Promise<void> {
    const base = this.leafFields(ctx, entry);
    const open = contextStore.transaction();
    if (open) this.appendedIn.add(open);
    const pending = open && this.pending.get(open);
    if (pending) {
      pending.push(base);
      return;
    }
    const leaves = [base];
    if (open) this.pending.set(open, leaves);
    await this.db.deferToCommit(async () => {
      const m = this.db.manager;
      this.pending.delete(m);
      const at = new Date();
      const [{ locked }] = await m.query<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock($1) AS locked',
        [AUDIT_SEQUENCER_LOCK],
      );
      if (locked) {
        const [{ next }] = await m.query<{ next: string }[]>(
          'SELECT coalesce(max(seq) + 1, 0)::text AS next FROM audit_leaf',
        );
        await m.getRepository(AuditLeaf).insert(numbered(leaves, at, Number(next)));
        return;
      }
      await m.getRepository(AuditQueued).insert(
        leaves.map((leaf) => ({
          at,
          fields: { ...leaf, hiddenUntil: leaf.hiddenUntil?.toISOString() ?? null },
        })),
      );
      await this.db.afterCommit(() => this.sequenceQueued());
    });
  }

  /**
   * Numbers every queued leaf committed so far. Callers that arrive while a batch runs share the
   * next one (the running batch may have read the queue before their commit). Never throws: a
   * leaf it could not number stays queued for the next batch or the periodic sweep.
   */
  sequenceQueued(): Promise<void> {
    if (this.nextBatch) return this.nextBatch;
    if (!this.batch) {
      this.batch = this.runBatches().finally(() => (this.batch = null));
      return this.batch;
    }
    this.nextBatch = this.batch.then(() => {
      this.nextBatch = null;
      return this.sequenceQueued();
    });
    return this.nextBatch;
  }

  private batch: Promise<void> | null = null;
  private nextBatch: Promise<void> | null = null;

  private async runBatches(): Promise<void> {
    try {
      while ((await this.sequenceBatch()) === SEQUENCE_BATCH) {
        /* a full batch: there may be more */
      }
    } catch (e) {
      this.log.warn(`audit sequencing failed, leaves stay queued: ${(e as Error).message}`);
    }
  }

  /** One batch in its own transaction under the sequencer lock; returns how many leaves it numbered. */
  private sequenceBatch(): Promise<number> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_SEQUENCER_LOCK]);
      const queued = await m.query<{ id: string; at: Date; fields: QueuedLeafFields; next: string }[]>(
        `SELECT q.id::text AS id, q.at, q.fields, (SELECT coalesce(max(seq) + 1, 0) FROM audit_leaf)::text AS next
           FROM audit_queue q ORDER BY q.id LIMIT $1`,
        [SEQUENCE_BATCH],
      );
      if (!queued.length) return 0;
      let seq = Number(queued[0].next);
      const rows = queued.map(
        ({ at, fields }) =>
          numbered(
            [{ ...fields, hiddenUntil: fields.hiddenUntil === null ? null : new Date(fields.hiddenUntil) }],
            at,
            seq++,
          )[0],
      );
      await m.getRepository(AuditLeaf).insert(rows);
      await m.query('DELETE FROM audit_queue WHERE id = ANY($1::bigint[])', [queued.map((q) => q.id)]);
      return queued.length;
    });
  }

  /**
   * The latest signed tree head, signing a new one when leaves were committed since. Runs in its own
   * transaction, or joins one that has not appended (a job's); checkpoint writers are serialised.
   */
  async checkpoint(): Promise<AuditTreeHead> {
    const open = contextStore.transaction();
    if (open && this.appendedIn.has(open)) {
      throw new Error('AuditService.checkpoint() cannot run in a transaction that appended audit leaves');
    }
    if (!open) await this.sequenceQueued();
    const fresh = await this.latestIfCurrent();
    if (fresh) {
      this.witness(fresh.size);
      return fresh;
    }
    const head = await this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [AUDIT_CHECKPOINT_LOCK]);
      const q: Query = (sql, params) => m.query(sql, params);
      const latest = await this.latestHead();
      const size = await this.committedSize();
      if (latest && latest.size >= size) return latest;
      let builder = latest
        ? SubtreeBuilder.fromPacked(latest.size, latest.subtreeRoots)
        : new SubtreeBuilder();
      // A cache that disagrees with its own signed root is not trusted: rebuild from the leaves.
      if (latest && !builder.root().equals(latest.rootHash)) builder = new SubtreeBuilder();
      await extendTree(q, builder, size);
      const root = builder.root();
      const head = m.getRepository(AuditTreeHead).create({
        size,
        rootHash: root,
        at: new Date(),
        note: signCheckpoint(formatCheckpointBody(this.origin, size, root), this.origin, this.key.privateKey),
        keyName: this.origin,
        subtreeRoots: builder.packed(),
      });
      await m.getRepository(AuditTreeHead).insert(head);
      this.log.log(`signed audit checkpoint at size ${size}`);
      return head;
    });
    // Witnessed once committed: a witness must never hold a head the database could still roll back.
    await this.db.afterCommit(() => {
      this.witness(head.size);
      return Promise.resolve();
    });
    return head;
  }

  /**
   * Hands the newest head to the witnesses in the background: a slow or unreachable peer or bucket
   * must not hold up GET /v1/audit/checkpoint. The publisher runs hand-overs one at a time and logs
   * what fails; CheckpointPublisher.settled() waits for them. Detached from the caller's context, so
   * it never reads through a transaction the caller has open (or has finished) by then.
   */
  private witness(size: number): void {
    contextStore.run(RequestContext.system('audit-witness'), () => void this.publisher.publish(size));
  }

  /** This instance's signature added to another log's checkpoint it has witnessed (POST /v1/audit/witness). */
  cosign(note: string): string {
    return addNoteSignature(note, this.origin, this.key.privateKey);
  }

  /** Number of committed leaves (the committed leaves are always the dense prefix 0 … n-1). */
  async committedSize(): Promise<number> {
    const [{ n }] = await this.db.query<{ n: string }>(
      'SELECT coalesce(max(seq) + 1, 0)::text AS n FROM audit_leaf',
    );
    return Number(n);
  }

  latestHead(): Promise<AuditTreeHead | null> {
    return this.db.repo(AuditTreeHead).createQueryBuilder('h').orderBy('h.size', 'DESC').limit(1).getOne();
  }

  publicKey(): PublicKeyInfo {
    return { ...this.keyInfo };
  }

  private async latestIfCurrent(): Promise<AuditTreeHead | null> {
    const latest = await this.latestHead();
    return latest && latest.size >= (await this.committedSize()) ? latest : null;
  }

  /** Checks what callers pass: a bad entry is a programming error, refused before it can reach the log. */
  private leafFields(ctx: RequestContext, e: AuditEntry): Omit<AuditLeafFields, 'seq' | 'at'> {
    const { actor } = ctx;
    const fields = {
      actorKind: actor.kind,
      actorId: actor.id ?? null,
      onBehalfOf: actor.onBehalfOf ?? null,
      // uuid columns store lower case; hash what will be read back.
      organisationId: actor.organisationId?.toLowerCase() ?? null,
      action: e.action,
      resourceType: e.resourceType,
      resourceId: e.resourceId ?? null,
      subjectId: e.subjectId?.toLowerCase() ?? null,
      purpose: e.purpose ?? null,
      legalBasis: e.legalBasis ?? null,
      channel: ctx.channel ?? null,
      requestId: ctx.requestId ?? null,
      hiddenUntil: e.hiddenUntil ?? null,
    };
    const fail = (what: string): never => {
      throw new Error(`audit entry ${e.action}: ${what}`);
    };
    if (!ACTION_RE.test(fields.action) || fields.action.length > 100)
      fail('action must look like resource.verb');
    if (!RESOURCE_TYPE_RE.test(fields.resourceType)) fail('bad resourceType');
    if (fields.resourceId !== null && !RESOURCE_ID_RE.test(fields.resourceId)) fail('bad resourceId');
    if (fields.subjectId !== null && !UUID_RE.test(fields.subjectId))
      fail('subjectId must be an account uuid');
    if (fields.organisationId !== null && !UUID_RE.test(fields.organisationId))
      fail('actor organisation is not a uuid');
    for (const [name, value, max] of [
      ['actorId', fields.actorId, 100],
      ['onBehalfOf', fields.onBehalfOf, 100],
      ['purpose', fields.purpose, 200],
      ['legalBasis', fields.legalBasis, 200],
      ['channel', fields.channel, 32],
      ['requestId', fields.requestId, 160],
    ] as const) {
      if (value !== null && (value.length > max || UNSTORABLE_RE.test(value) || !isWellFormed(value))) {
        fail(`${name} must be at most ${max} storable characters`);
      }
    }
    if (
      fields.hiddenUntil !== null &&
      (!(fields.hiddenUntil instanceof Date) || Number.isNaN(fields.hiddenUntil.getTime()))
    ) {
      fail('hiddenUntil is not a valid date');
    }
    return fields;
  }
}

/** Lone surrogates have no UTF-8 encoding: the stored text would differ from the hashed one. */
function isWellFormed(s: string): boolean {
  return Buffer.from(s, 'utf8').toString('utf8') === s;
}
