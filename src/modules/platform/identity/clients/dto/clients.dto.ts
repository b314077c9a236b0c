import { applyDecorators } from '@nestjs/common';
import { ArgsType, Field, ID, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { IsInstant } from '../../../../../api/errors/validation';
import { PERMISSION_NAMES } from '../../../../../api/auth/permission-registry';
import { ConnectionArgs } from '../../../../../api/graphql/connection';
import { PageQuery } from '../../../../../api/http/pagination';
import { MACHINE_SCOPES } from '../../staff/role-catalogue';
import { DateTimeScalar } from '../../../../../api/graphql/scalars';

// The registry's live list (not a copy): scopes a module declares after this file loads are valid too.
const SCOPES = MACHINE_SCOPES;

/**
 * The scopes a client or API key is created with: up to 20 distinct machine scopes. Listed in the
 * reverse of the stacked order it replaces, so the constraints are checked and reported as before;
 * maxItems and uniqueItems are stated because the swagger plugin reads them only from a visible
 * @ArrayMaxSize and @ArrayUnique.
 */
const MachineScopes = () =>
  applyDecorators(
    IsIn(SCOPES, { each: true }),
    ArrayUnique(),
    ArrayMaxSize(20),
    IsArray(),
    ApiProperty({ enum: SCOPES, isArray: true, maxItems: 20, uniqueItems: true }),
    Field(() => [String], { description: 'permission names, e.g. directory:read (at most 20, distinct)' }),
  );

@ObjectType('Client', {
  description: 'An agency system registered as an OAuth2 client (client credentials).',
})
export class ClientDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** the OAuth client_id, `owc_…` */
  @Field({ description: 'the OAuth client_id, owc_…' })
  clientId: string;

  @Field()
  name: string;

  /** the agency unit the client acts for; its scopes hold there and below */
  @Field(() => ID, { description: 'the agency unit the client acts for; its scopes hold there and below' })
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @Field(() => [String], { description: 'permission names the client may request' })
  @ApiProperty({ enum: PERMISSION_NAMES, enumName: 'Permission', isArray: true })
  scopes: string[];

  /** hex SHA-256 of the bound TLS client certificate, if any */
  @Field(() => String, { nullable: true, description: 'hex SHA-256 of the bound TLS client certificate' })
  @ApiProperty({ type: 'string', nullable: true })
  certThumbprint: string | null;

  @Field()
  active: boolean;

  /** after a rotation, the old secret keeps working until then */
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'after a rotation, the old secret keeps working until then',
  })
  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  previousSecretExpiresAt: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  lastUsedAt: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

@ObjectType('ClientWithSecret', { description: 'A client with its new secret, shown in this result only.' })
export class ClientWithSecretDto extends ClientDto {
  /** the client secret, shown only in this response; store it in the calling system's vault */
  @Field({
    description: "the client secret, shown only in this result; store it in the calling system's vault",
  })
  clientSecret: string;
}

export class ClientPageDto {
  @ApiProperty({ type: [ClientDto], maxItems: 100 })
  items: ClientDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

@InputType('CreateClientInput')
export class CreateClientDto {
  @Field()
  @IsString()
  @Length(2, 200)
  name: string;

  @Field(() => ID)
  @IsUUID()
  organisationId: string;

  /** permissions the client may request; each must be one you hold in that unit */
  @MachineScopes()
  scopes: string[];

  /** hex SHA-256 of the client's TLS certificate (DER); binds token requests to that certificate */
  @Field({ nullable: true })
  @IsOptional()
  @Matches(/^[0-9A-Fa-f]{64}$/)
  certThumbprint?: string;
}

@InputType('RotateSecretInput')
export class RotateSecretDto {
  /** how long the old secret keeps working, in seconds (default one day, at most 30 days) */
  @Field(() => Int, { nullable: true, description: 'seconds the old secret keeps working (default 86400)' })
  @ApiPropertyOptional({ minimum: 0, maximum: 2_592_000, default: 86_400 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(2_592_000)
  graceSeconds?: number;
}

@ArgsType()
export class ClientArgs extends ConnectionArgs {
  @Field(() => ID, { nullable: true, description: 'clients of this unit or below' })
  @IsOptional()
  @IsUUID()
  within?: string;
}

export class ClientQueryDto extends PageQuery {
  /** clients of this unit or below */
  @IsOptional()
  @IsUUID()
  within?: string;
}

/** RFC 6749 §4.4.2 request; send it form-encoded (or as JSON). Unknown parameters are ignored. */
export class TokenRequestDto {
  @ApiProperty({ enum: ['client_credentials'] })
  grant_type: string;

  /** with client_secret, instead of HTTP Basic authentication */
  @ApiPropertyOptional()
  client_id?: string;

  @ApiPropertyOptional()
  client_secret?: string;

  /** space-separated subset of the client's scopes; all of them when omitted */
  @ApiPropertyOptional()
  scope?: string;
}

/** RFC 6749 §5.1 */
export class TokenResponseDto {
  access_token: string;

  @ApiProperty({ enum: ['Bearer'] })
  token_type: 'Bearer';

  /** lifetime of the access token in seconds */
  expires_in: number;

  /** the granted scopes, space-separated */
  scope: string;
}

/** RFC 6749 §5.2 */
export class OAuthErrorDto {
  @ApiProperty({
    enum: [
      'invalid_request',
      'invalid_client',
      'invalid_grant',
      'unauthorized_client',
      'unsupported_grant_type',
      'invalid_scope',
    ],
  })
  error: string;

  @ApiPropertyOptional()
  error_description?: string;
}

@ObjectType('ApiKey', { description: 'An integrator API key; only its prefix is ever shown again.' })
export class ApiKeyDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** the key's visible start, `owk_<publicId>`; the rest is never shown again */
  @Field({ description: "the key's visible start, owk_<publicId>" })
  prefix: string;

  @Field()
  name: string;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ format: 'uuid', type: 'string', nullable: true })
  organisationId: string | null;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  ownerAccountId: string;

  @Field(() => [String], { description: 'permission names the key carries' })
  @ApiProperty({ enum: PERMISSION_NAMES, enumName: 'Permission', isArray: true })
  scopes: string[];

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  expiresAt: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  revokedAt: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  lastUsedAt: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

@ObjectType('ApiKeyCreated', { description: 'A new API key with the whole key, shown in this result only.' })
export class ApiKeyCreatedDto extends ApiKeyDto {
  /** the whole key, shown only in this response; send it as the X-API-Key header, never in a URL */
  @Field({ description: 'the whole key, shown only in this result; send it as the X-API-Key header' })
  key: string;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyDto], maxItems: 100 })
  items: ApiKeyDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

@InputType('CreateApiKeyInput')
export class CreateApiKeyDto {
  @Field()
  @IsString()
  @Length(2, 200)
  name: string;

  /** the unit whose data the key may reach (and below); omit for unit-free reads only */
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @MachineScopes()
  scopes: string[];

  /** when the key stops working: in the future and at most 366 days ahead; one year from now when omitted */
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'when the key stops working (at most 366 days ahead; one year by default)',
  })
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  expiresAt?: string;
}
