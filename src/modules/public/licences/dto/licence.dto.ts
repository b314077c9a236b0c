import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsUUID, Matches, ValidateIf, ValidateNested } from 'class-validator';
import { LicenceStatus } from '../licence.entity';
import { MAX_FIELD_VALUE, MAX_FIELDS } from '../licence-rules';
import { IsCalendarDate, IsHolderId, IsLicenceFields, IsLicenceText } from './licence-validators';
import { DateScalar, DateTimeScalar } from '../../../../api/graphql/scalars';

registerEnumType(LicenceStatus, {
  name: 'LicenceStatus',
  description: 'active or revoked (as recorded; expiry is not a status)',
});

/** What verification says now: revoked wins over expired, expired over not yet valid. */
export enum LicenceValidity {
  Active = 'active',
  Revoked = 'revoked',
  Expired = 'expired',
  NotYetValid = 'not_yet_valid',
}
registerEnumType(LicenceValidity, { name: 'LicenceValidity' });

// The public key DTOs live in licence-key.dto.ts; re-exported for the licence service and controller.
export { LicenceJwkDto, LicencePublicKeyDto } from './licence-key.dto';

/** A type from the licence catalogue (证照目录). */
@ObjectType('LicenceType')
export class LicenceTypeDto {
  /** catalogue code: letters, digits, `.`, `_`, `-` */
  @Field()
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', example: 'GTGSH-YYZZ' })
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/)
  code: string;

  /** e.g. 个体工商户营业执照 */
  @Field()
  @ApiProperty({ maxLength: 100, example: '个体工商户营业执照' })
  @IsLicenceText(100)
  name: string;
}

/**
 * What the workflow engine (or POST /v1/licences) gives to issue a licence. `fields` is the licence
 * content and is shown to anyone who verifies it: plain text, no national ID numbers.
 */
export class IssueLicenceDto {
  @ApiProperty({ type: LicenceTypeDto })
  @ValidateNested()
  @Type(() => LicenceTypeDto)
  licenceType: LicenceTypeDto;

  /** the citizen or business account that will see it under /v1/me/licences */
  @ApiPropertyOptional({ type: 'string', format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  holderAccountId?: string | null;

  /** the holder's full name (a person or a business); masked wherever the public sees it */
  @ApiProperty({ maxLength: 100, example: '张三' })
  @IsLicenceText(100)
  holderName: string;

  /** national ID number or unified social credit code; only its masked form is kept */
  @ApiPropertyOptional({ maxLength: 18, pattern: '^[0-9A-Za-z]{18}$' })
  @IsOptional()
  @IsHolderId()
  holderIdNumber?: string;

  /** the unit issuing it: must be within the caller's licence:issue scope */
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  issuerOrganisationId: string;

  /** first day of validity (China Standard Time); default: the day of issue */
  @ApiPropertyOptional({ format: 'date', example: '2026-01-01' })
  @IsOptional()
  @IsCalendarDate()
  validFrom?: string;

  /** last day of validity, inclusive, not before validFrom; omit or null for no expiry */
  @ApiPropertyOptional({ type: 'string', format: 'date', nullable: true, example: '2031-12-31' })
  @ValidateIf((_, v) => v !== undefined && v !== null)
  @IsCalendarDate()
  validUntil?: string | null;

  /** the licence content: at most 50 entries, names of at most 100 characters, values of at most 500 */
  @ApiProperty({
    type: 'object',
    maxProperties: MAX_FIELDS,
    additionalProperties: { type: 'string', minLength: 1, maxLength: MAX_FIELD_VALUE },
    example: { 经营者: '张三', 组成形式: '个人经营', 经营场所: '某市某区某路 1 号', 经营范围: '零售' },
  })
  @IsLicenceFields()
  fields: Record<string, string>;

  /** what it results from, e.g. an application id */
  @ApiPropertyOptional({ maxLength: 200, pattern: '^[A-Za-z0-9._:/@#-]{1,200}$' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9._:/@#-]{1,200}$/)
  sourceReference?: string;
}

/** Why the licence is revoked: shown to anyone who verifies it, so no personal data. */
export class RevokeLicenceDto {
  @ApiProperty({ maxLength: 500, example: '经营者申请注销' })
  @IsLicenceText(500, true)
  reason: string;
}

@ObjectType('LicenceIssuer')
export class LicenceIssuerDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** the issuer's name at the time of issue */
  @Field()
  @ApiProperty({ maxLength: 200 })
  name: string;
}

/** One entry of the licence content (GraphQL has no maps; REST returns `fields` as an object). */
@ObjectType('LicenceField')
export class LicenceFieldDto {
  @Field()
  name: string;

  @Field()
  value: string;
}

export const fieldList = (fields: Record<string, string>): LicenceFieldDto[] =>
  Object.entries(fields).map(([name, value]) => ({ name, value }));

const FIELDS_SCHEMA = {
  type: 'object',
  maxProperties: MAX_FIELDS,
  additionalProperties: { type: 'string', maxLength: MAX_FIELD_VALUE },
} as const;

/** A licence as its holder and the issuing unit's staff see it. */
@ObjectType('Licence')
export class LicenceDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** e.g. 330100-2026-7KQ2M9XAB3 */
  @Field()
  @ApiProperty({ maxLength: 40, pattern: '^[0-9]{6,12}-[0-9]{4}-[0-9A-HJKMNP-TV-Z]{10}$' })
  number: string;

  @Field(() => LicenceTypeDto)
  licenceType: LicenceTypeDto;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  holderAccountId: string | null;

  /** in full for the holder, masked (张**) for staff */
  @Field({ description: 'in full for the holder, masked for staff' })
  @ApiProperty({ maxLength: 100 })
  holderName: string;

  /** e.g. 110***********1234 */
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 32 })
  holderIdMasked: string | null;

  @Field(() => LicenceIssuerDto)
  issuer: LicenceIssuerDto;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  issuedAt: string;

  @Field(() => DateScalar)
  @ApiProperty({ format: 'date' })
  validFrom: string;

  @Field(() => DateScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date', nullable: true })
  validUntil: string | null;

  /** the licence content (GraphQL: a list of name/value pairs) */
  @ApiProperty(FIELDS_SCHEMA)
  fields: Record<string, string>;

  /** printed on the licence; anyone can check it at verificationUrl */
  @Field()
  @ApiProperty({ maxLength: 16, pattern: '^[0-9A-HJKMNP-TV-Z]{16}$' })
  verificationCode: string;

  /** what the QR code encodes */
  @Field()
  @ApiProperty({ format: 'uri', maxLength: 2048 })
  verificationUrl: string;

  /** base64 Ed25519 signature over the canonical payload (see GET /v1/licence-verifications/{code}) */
  @Field()
  @ApiProperty({ maxLength: 88, pattern: '^[A-Za-z0-9+/]{86}==$' })
  signature: string;

  /** RFC 7638 thumbprint of the signing key */
  @Field()
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]{1,64}$' })
  keyId: string;

  @Field(() => LicenceStatus)
  @ApiProperty({ enum: LicenceStatus, enumName: 'LicenceStatus' })
  status: LicenceStatus;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  revokedAt: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 500 })
  revocationReason: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 200 })
  sourceReference: string | null;

  /** increases on every change; send it back as If-Match "v<version>" */
  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 1 })
  version: number;
}

export class LicencePageDto {
  @ApiProperty({ type: [LicenceDto], maxItems: 100 })
  items: LicenceDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

/**
 * The answer to "is this licence genuine and in force?". `valid` is true only when the signature
 * verifies over `canonicalPayload` (recomputed from the registry now) and the licence is neither
 * revoked, expired nor not yet valid. Check it yourself: Ed25519 over the UTF-8 bytes of
 * canonicalPayload, with the key from GET /v1/licence-verifications/public-key.
 */
@ObjectType('LicenceVerification')
export class LicenceVerificationDto {
  @Field()
  valid: boolean;

  /** active, revoked, expired or not_yet_valid, as of now (China Standard Time days) */
  @Field(() => LicenceValidity)
  @ApiProperty({ enum: LicenceValidity, enumName: 'LicenceValidity' })
  status: LicenceValidity;

  /** false when the registry's record no longer matches what was signed */
  @Field()
  signatureValid: boolean;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field()
  @ApiProperty({ maxLength: 40, pattern: '^[0-9]{6,12}-[0-9]{4}-[0-9A-HJKMNP-TV-Z]{10}$' })
  number: string;

  @Field(() => LicenceTypeDto)
  licenceType: LicenceTypeDto;

  /** masked, e.g. 张** */
  @Field({ description: 'masked, e.g. 张**' })
  @ApiProperty({ maxLength: 100 })
  holderName: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 32 })
  holderIdMasked: string | null;

  @Field(() => LicenceIssuerDto)
  issuer: LicenceIssuerDto;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  issuedAt: string;

  @Field(() => DateScalar)
  @ApiProperty({ format: 'date' })
  validFrom: string;

  @Field(() => DateScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date', nullable: true })
  validUntil: string | null;

  /** the licence content (GraphQL: a list of name/value pairs) */
  @ApiProperty(FIELDS_SCHEMA)
  fields: Record<string, string>;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true })
  revokedAt: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 500 })
  revocationReason: string | null;

  @Field()
  @ApiProperty({ enum: ['Ed25519'] })
  algorithm: 'Ed25519';

  /** base64 Ed25519 signature made at issue */
  @Field()
  @ApiProperty({ maxLength: 88, pattern: '^[A-Za-z0-9+/]{86}==$' })
  signature: string;

  /** RFC 7638 thumbprint of the key that signed it */
  @Field()
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]{1,64}$' })
  keyId: string;

  /** the exact string signed: RFC 8785 canonical JSON of the licence as the registry holds it now */
  @Field({ description: 'the exact string signed (RFC 8785 canonical JSON)' })
  @ApiProperty({ maxLength: 60000 })
  canonicalPayload: string;

  /** where to fetch the public key (JWK and PEM) */
  @Field()
  @ApiProperty({ format: 'uri', maxLength: 2048 })
  publicKeyUrl: string;

  @Field()
  @ApiProperty({ format: 'uri', maxLength: 2048 })
  verificationUrl: string;
}
