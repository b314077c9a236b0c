import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { Db } from '../../../database/db';
import { AuditLeaf, AuditTreeHead } from './audit.entity';
import { AuditService } from './audit.service';
import { Query, rangeHashes } from './audit-tree';
import {
  AuditLeafDto,
  CheckpointDto,
  ConsistencyProofDto,
  ConsistencyProofQueryDto,
  InclusionProofDto,
  InclusionProofQueryDto,
  PublicKeyDto,
} from './dto/audit.dto';
import { consistencyProofRanges, inclusionProofRanges } from './merkle';

const invalid = (pointer: string, code: string, message: string): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [{ pointer, code, message }]);

/** Read side of the audit log: signed tree heads, leaves and RFC 9162 proofs. */
@Injectable()
export class AuditQueryService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
  ) {}

  /** The latest checkpoint, signed on demand when leaves were committed after it. */
  async checkpoint(_ctx: RequestContext): Promise<CheckpointDto> {
    const head = await this.audit.checkpoint();
    return this.toCheckpointDto(head);
  }

  publicKey(_ctx: RequestContext): PublicKeyDto {
    return this.audit.publicKey();
  }

  async leaf(ctx: RequestContext, seq: number): Promise<AuditLeafDto> {
    return toLeafDto(await this.visibleLeaf(ctx, seq));
  }

  async inclusionProof(
    ctx: RequestContext,
    seq: number,
    q: InclusionProofQueryDto,
  ): Promise<InclusionProofDto> {
    await this.visibleLeaf(ctx, seq);
    let treeSize = q.treeSize;
    if (treeSize === undefined) {
      treeSize = (await this.audit.checkpoint()).size;
    } else {
      await this.assertWithinLog('/treeSize', treeSize);
      if (treeSize <= seq)
        throw invalid('/treeSize', 'min', `treeSize must be greater than the leaf index ${seq}`);
    }
    const hashes = await this.proof(inclusionProofRanges(seq, treeSize));
    return { leafIndex: seq, treeSize, hashes };
  }

  async consistencyProof(_ctx: RequestContext, q: ConsistencyProofQueryDto): Promise<ConsistencyProofDto> {
    if (q.from > q.to) throw invalid('/from', 'max', 'from must not exceed to');
    await this.assertWithinLog('/to', q.to);
    return { from: q.from, to: q.to, hashes: await this.proof(consistencyProofRanges(q.from, q.to)) };
  }

  private async proof(ranges: Parameters<typeof rangeHashes>[1]): Promise<string[]> {
    const q: Query = (sql, params) => this.db.query(sql, params);
    return (await rangeHashes(q, ranges)).map((h) => h.toString('base64'));
  }

  private async assertWithinLog(pointer: string, size: number): Promise<void> {
    const n = await this.audit.committedSize();
    if (size > n) throw invalid(pointer, 'max', `must not exceed the log size ${n}`);
  }

  /**
   * Auditors holding AuditRead in some units see the leaves of actors from those units and below;
   * other leaves answer 404, as if they did not exist.
   */
  private async visibleLeaf(ctx: RequestContext, seq: number): Promise<AuditLeaf> {
    const leaf = await this.db.repo(AuditLeaf).findOne({ where: { seq } });
    if (!leaf) throw notFound('audit leaf');
    const scope = ctx.scopeOf(Permission.AuditRead);
    if (scope === '*') return leaf;
    if (!scope?.size || !leaf.organisationId) throw notFound('audit leaf');
    const rows = await this.db.query(
      'SELECT 1 FROM organisation_closure WHERE descendant_id = $1 AND ancestor_id = ANY($2::uuid[]) LIMIT 1',
      [leaf.organisationId, [...scope]],
    );
    if (!rows.length) throw notFound('audit leaf');
    return leaf;
  }

  private toCheckpointDto(head: AuditTreeHead): CheckpointDto {
    return {
      origin: head.keyName,
      size: head.size,
      rootHash: head.rootHash.toString('base64'),
      timestamp: head.at.toISOString(),
      checkpoint: head.note,
      vkey: this.audit.publicKey().vkey,
    };
  }
}

function toLeafDto(l: AuditLeaf): AuditLeafDto {
  return {
    seq: l.seq,
    at: l.at.toISOString(),
    actorKind: l.actorKind,
    actorId: l.actorId,
    onBehalfOf: l.onBehalfOf,
    organisationId: l.organisationId,
    action: l.action,
    resourceType: l.resourceType,
    resourceId: l.resourceId,
    subjectId: l.subjectId,
    purpose: l.purpose,
    legalBasis: l.legalBasis,
    channel: l.channel,
    requestId: l.requestId,
    hiddenUntil: l.hiddenUntil ? l.hiddenUntil.toISOString() : null,
    leafHash: l.leafHash.toString('base64'),
  };
}
