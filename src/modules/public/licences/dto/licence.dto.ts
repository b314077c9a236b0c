import { Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsOptional,
  IsUUID,
  Matches,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { LicenceStatus } from '../licence.entity';
import {
  fieldsProblems,
  isCalendarDate,
  MAX_FIELD_VALUE,
  MAX_FIELDS,
  maskHolderId,
  textProblem,
} from '../licence-rules';
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

/** Free text of 1…max characters: no control characters (newlines only if multiline), no national ID number. */
export function IsLicenceText(
  max: number,
  multiline = false,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'licenceText',
      validator: {
        validate: (v: unknown) => textProblem(v, max, multiline) === null,
        defaultMessage: (a) => `$property ${textProblem(a?.value, max, multiline)?.message ?? 'is invalid'}`,
      },
    },
    options,
  );
}

/** At most 50 name → text entries; names ≤ 100 characters, values ≤ 500, no national ID numbers. */
export function IsLicenceFields(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'licenceFields',
      validator: {
        validate: (v: unknown) => fieldsProblems(v).length === 0,
        defaultMessage: (a) => fieldsProblems(a?.value)[0]?.message ?? 'fields are invalid',
      },
    },
    options,
  );
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'calendarDate',
      validator: {
        validate: (v: unknown) => isCalendarDate(v),
        defaultMessage: () => '$property must be a real date written YYYY-MM-DD',
      },
    },
    options,
  );
}

export function IsHolderId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'holderId',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && maskHolderId(v) !== null,
        defaultMessage: () => '$property must be a valid national ID number or unified social credit code',
      },
    },
    options,
  );
}

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

/** An Ed25519 public key as an RFC 8037 JWK. */
export class LicenceJwkDto {
  @ApiProperty({ enum: ['OKP'] })
  kty: 'OKP';

  @ApiProperty({ enum: ['Ed25519'] })
  crv: 'Ed25519';

  /** base64url of the 32-byte public key */
  @ApiProperty({ maxLength: 43, pattern: '^[A-Za-z0-9_-]{43}$' })
  x: string;

  /** = keyId */
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]{1,64}$' })
  kid: string;

  @ApiProperty({ enum: ['EdDSA'] })
  alg: 'EdDSA';

  @ApiProperty({ enum: ['sig'] })
  use: 'sig';
}

/** Everything needed to check a licence signature offline. */
export class LicencePublicKeyDto {
  /** RFC 7638 thumbprint; licences name it in keyId */
  @ApiProperty({ maxLength: 64, pattern: '^[A-Za-z0-9_-]{1,64}$' })
  keyId: string;

  @ApiProperty({ enum: ['Ed25519'] })
  algorithm: 'Ed25519';

  jwk: LicenceJwkDto;

  /** the same key as SubjectPublicKeyInfo PEM */
  @ApiProperty({ maxLength: 200 })
  publicKeyPem: string;

  /** how the signed string is made from a licence */
  @ApiProperty({ enum: ['RFC 8785'] })
  canonicalization: 'RFC 8785';

  /** the `format` member of the payloads this key signs */
  @ApiProperty({ maxLength: 64, pattern: '^[a-z0-9.]{1,64}$' })
  payloadFormat: string;
}
