import { Inject, Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { APP_CONFIG, AppConfig } from '../../../../config/config';
import { Db } from '../../../../database/db';
import { AuditWitnessed } from '../audit.entity';
import { AuditService } from '../audit.service';
import { ParsedVkey, verifyCheckpoint, vkeyToPublicKey } from '../checkpoint';
import { EMPTY_ROOT, verifyConsistency } from '../merkle';
import type { WitnessedCheckpointDto, WitnessedQueryDto, WitnessRequestDto } from '../dto/witness.dto';

/** Serialises submissions per origin (hashtext gives an int4; the namespace keeps it apart from others). */
const WITNESS_LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('onewindow.audit-witness'), hashtext($1))`;

/**
 * This instance as a witness for other OneWindow logs (C2SP tlog-witness, JSON over HTTP): it accepts
 * a checkpoint only from an origin it trusts (AUDIT_WITNESS_TRUSTED_KEYS), signed by that origin's
 * key, and only if a consistency proof shows it extends the newest checkpoint it already witnessed
 * for that origin. It then keeps it (insert-only) and cosigns it. A rollback or a fork is refused with
 * 409 and X-Witness-Size, the size it holds, so an honest log can retry with a proof from there.
 */
@Injectable()
export class WitnessService {
  private readonly trusted: Map<string, ParsedVkey>;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.trusted = new Map(
      config.audit.witness.trustedKeys.map((vkey) => {
        const parsed = vkeyToPublicKey(vkey);
        return [parsed.name, parsed];
      }),
    );
  }

  async add(_ctx: RequestContext, input: WitnessRequestDto): Promise<WitnessedCheckpointDto> {
    const origin = input.checkpoint.slice(0, input.checkpoint.indexOf('\n'));
    const key = this.trusted.get(origin);
    // C2SP: an origin the witness does not know is 404, as if the log did not exist.
    if (!key) throw notFound('witnessed log');
    let checkpoint;
    try {
      checkpoint = verifyCheckpoint(input.checkpoint, key.name, key.publicKey, { origin });
    } catch (e) {
      throw new DomainError(ErrorCode.AuditCheckpointRejected, { reason: (e as Error).message });
    }
    if (input.oldSize > checkpoint.size) {
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        {
          pointer: '/oldSize',
          code: 'max',
          message: `must not exceed the checkpoint size ${checkpoint.size}`,
        },
      ]);
    }
    const proof = input.proof.map((h) => Buffer.from(h, 'base64'));
    return this.db.transaction(async (m) => {
      await m.query(WITNESS_LOCK_SQL, [origin]);
      const last = await this.newest(origin);
      if (last && last.size === checkpoint.size && last.rootHash.equals(checkpoint.root))
        return this.toDto(last);
      const lastSize = last?.size ?? 0;
      const conflict = (reason: string): DomainError =>
        new DomainError(ErrorCode.AuditWitnessConflict, { reason }, [], {
          'X-Witness-Size': String(lastSize),
        });
      if (checkpoint.size < lastSize)
        throw conflict(`size ${checkpoint.size} is older than the witnessed size ${lastSize} (a rollback)`);
      if (input.oldSize !== lastSize)
        throw conflict(
          `the newest checkpoint witnessed for ${origin} has size ${lastSize}; prove from there`,
        );
      if (!verifyConsistency(lastSize, checkpoint.size, last?.rootHash ?? EMPTY_ROOT, checkpoint.root, proof))
        throw conflict(`the proof does not show size ${checkpoint.size} extends size ${lastSize} (a fork)`);
      const row = m.getRepository(AuditWitnessed).create({
        origin,
        size: checkpoint.size,
        rootHash: checkpoint.root,
        note: this.audit.cosign(input.checkpoint),
        at: new Date(),
      });
      // No audit leaf: audit_witnessed is itself insert-only, and a leaf per cosignature would make two
      // instances witnessing each other sign a new checkpoint for every one they witness.
      await m.getRepository(AuditWitnessed).insert(row);
      return this.toDto(row);
    });
  }

  async latest(_ctx: RequestContext, q: WitnessedQueryDto): Promise<WitnessedCheckpointDto> {
    const row = await this.newest(q.origin);
    if (!row) throw notFound('witnessed log');
    return this.toDto(row);
  }

  private newest(origin: string): Promise<AuditWitnessed | null> {
    return this.db
      .repo(AuditWitnessed)
      .createQueryBuilder('w')
      .where('w.origin = :origin', { origin })
      .orderBy('w.size', 'DESC')
      .limit(1)
      .getOne();
  }

  private toDto(row: AuditWitnessed): WitnessedCheckpointDto {
    return {
      origin: row.origin,
      size: row.size,
      checkpoint: row.note,
      witnessVkey: this.audit.publicKey().vkey,
      witnessedAt: row.at.toISOString(),
    };
  }
}
