import { Field, Float, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import { IsInt, IsOptional, Max, Min } from 'class-validator';
import { DateTimeScalar } from '../../../../api/graphql/scalars';

/** Query strings arrive as text: only canonical decimals become numbers; anything else fails @IsInt. */
export const toInteger = ({ value }: TransformFnParams): unknown =>
  typeof value === 'string' && /^(0|[1-9][0-9]{0,15})$/.test(value) ? Number(value) : value;

/** The latest signed tree head, as a C2SP checkpoint plus its parsed fields. */
@ObjectType('AuditCheckpoint', {
  description: 'The latest signed tree head of the audit log (C2SP checkpoint).',
})
export class CheckpointDto {
  /** log identity: the checkpoint's first line and the signing key's name */
  @Field({ description: "log identity: the checkpoint's first line and the signing key's name" })
  origin: string;

  /** number of leaves the tree head covers (leaves 0 … size-1) */
  @Field(() => Float, { description: 'number of leaves covered (an integer)' })
  @ApiProperty({ type: 'integer', minimum: 0 })
  size: number;

  /** RFC 6962 Merkle tree hash of those leaves, base64 */
  @Field({ description: 'RFC 6962 Merkle tree hash, base64' })
  @ApiProperty({ format: 'byte' })
  rootHash: string;

  /** when the checkpoint was signed (not part of the signed text) */
  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  timestamp: string;

  /** the signed note: `origin\nsize\nroot\n\n— keyName base64(keyId‖signature)\n`, checkable with Go's sumdb/note */
  @Field({ description: 'the signed note, checkable with the Go sumdb/note tooling' })
  checkpoint: string;

  /** verifier key `name+keyid+base64(0x01‖Ed25519 public key)` */
  @Field({ description: 'verifier key name+keyid+base64(0x01 || Ed25519 public key)' })
  vkey: string;
}

export class PublicKeyDto {
  keyName: string;

  @ApiProperty({ enum: ['Ed25519'] })
  algorithm: 'Ed25519';

  /** signed-note key id, 8 hex digits */
  keyId: string;

  /** signed-note verifier key, as given to auditors and witnesses */
  vkey: string;

  /** the same key as SubjectPublicKeyInfo PEM */
  publicKeyPem: string;
}

/**
 * One audit leaf. Its hash input is the RFC 8785 canonical JSON of every field below except leafHash
 * (timestamps as ISO 8601 UTC with milliseconds, null kept), hashed as SHA-256(0x00 ‖ UTF-8 bytes).
 */
export class AuditLeafDto {
  @ApiProperty({ type: 'integer', minimum: 0 })
  seq: number;

  @ApiProperty({ format: 'date-time' })
  at: string;

  /** citizen, staff, client, apikey, system or anonymous */
  actorKind: string;

  @ApiProperty({ type: 'string', nullable: true })
  actorId: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  onBehalfOf: string | null;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  organisationId: string | null;

  action: string;

  resourceType: string;

  @ApiProperty({ type: 'string', nullable: true })
  resourceId: string | null;

  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  subjectId: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  purpose: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  legalBasis: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  channel: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  requestId: string | null;

  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  hiddenUntil: string | null;

  /** base64 RFC 6962 leaf hash */
  @ApiProperty({ format: 'byte' })
  leafHash: string;
}

/** `/leaves/{seq}`: the leaf index, a canonical non-negative decimal. */
export class LeafParamsDto {
  @ApiProperty({ type: 'integer', minimum: 0 })
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  seq: number;
}

export class InclusionProofQueryDto {
  /** tree size to prove against; default: the latest signed checkpoint's */
  @ApiPropertyOptional({ type: 'integer', minimum: 1 })
  @IsOptional()
  @Transform(toInteger)
  @IsInt()
  @Min(1)
  @Max(Number.MAX_SAFE_INTEGER)
  treeSize?: number;
}

/** RFC 9162 §2.1.3 inclusion proof: check with verifyInclusion(leafHash, leafIndex, treeSize, hashes, root). */
export class InclusionProofDto {
  @ApiProperty({ type: 'integer', minimum: 0 })
  leafIndex: number;

  @ApiProperty({ type: 'integer', minimum: 1 })
  treeSize: number;

  /** sibling subtree hashes from the leaf upwards, base64 */
  @ApiProperty({ type: 'array', items: { type: 'string', format: 'byte' }, maxItems: 64 })
  hashes: string[];
}

export class ConsistencyProofQueryDto {
  /** the older tree size */
  @ApiProperty({ type: 'integer', minimum: 0 })
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  from: number;

  /** the newer tree size (at most the current log size) */
  @ApiProperty({ type: 'integer', minimum: 0 })
  @Transform(toInteger)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  to: number;
}

/** RFC 9162 §2.1.4 consistency proof: the tree of size `from` is a prefix of the tree of size `to`. */
export class ConsistencyProofDto {
  @ApiProperty({ type: 'integer', minimum: 0 })
  from: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  to: number;

  @ApiProperty({ type: 'array', items: { type: 'string', format: 'byte' }, maxItems: 128 })
  hashes: string[];
}
