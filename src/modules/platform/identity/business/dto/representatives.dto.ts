import { Field, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEnum, IsOptional } from 'class-validator';
import { IsInstant } from '../../../../../api/errors/validation';
import { ContactDto } from '../../auth/dto/auth.dto';
import { RepresentativeScope } from '../business-representative.entity';
import { DateTimeScalar } from '../../../../../api/graphql/scalars';

registerEnumType(RepresentativeScope, { name: 'RepresentativeScope' });

export const REPRESENTATION_STATUSES = ['scheduled', 'active', 'expired', 'revoked'] as const;
export type RepresentationStatus = (typeof REPRESENTATION_STATUSES)[number];

/**
 * Names the person by the phone number or e-mail of their (citizen) account: exactly one of the two.
 * The authorisation lasts from validFrom (default now) to validUntil, at most one year from now.
 */
export class CreateRepresentativeDto extends ContactDto {
  @ApiProperty({ enum: RepresentativeScope, enumName: 'RepresentativeScope' })
  @IsEnum(RepresentativeScope)
  scope: RepresentativeScope;

  /** when the authorisation starts; default now; not in the past */
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  validFrom?: string;

  /** when it ends: after validFrom and at most one year from now */
  @ApiProperty({ format: 'date-time' })
  @IsInstant()
  validUntil: string;
}

/** The business side of an authorisation (public registry data). */
@ObjectType('RepresentedBusiness')
export class RepresentedBusinessDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 100 })
  displayName: string | null;

  /** 统一社会信用代码 */
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 18 })
  unifiedSocialCreditCode: string | null;
}

/** The person side, personal data masked. */
@ObjectType('Representative')
export class RepresentativePersonDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 100 })
  displayName: string | null;

  /** masked, e.g. 张** */
  @Field(() => String, { nullable: true, description: 'masked, e.g. 张**' })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 100 })
  realName: string | null;

  /** masked, e.g. 138****8000 */
  @Field(() => String, { nullable: true, description: 'masked, e.g. 138****8000' })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 20 })
  phone: string | null;

  /** masked, e.g. z***@example.com */
  @Field(() => String, { nullable: true, description: 'masked, e.g. z***@example.com' })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 254 })
  email: string | null;
}

@ObjectType('BusinessRepresentative', {
  description: 'A citizen authorised to act for a business account (授权经办人).',
})
export class BusinessRepresentativeDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => RepresentedBusinessDto)
  business: RepresentedBusinessDto;

  @Field(() => RepresentativePersonDto)
  representative: RepresentativePersonDto;

  @Field(() => RepresentativeScope)
  @ApiProperty({ enum: RepresentativeScope, enumName: 'RepresentativeScope' })
  scope: RepresentativeScope;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  validFrom: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  validUntil: string;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  revokedAt: string | null;

  /** scheduled (not yet started), active, expired or revoked, as of now */
  @Field({ description: 'scheduled, active, expired or revoked, as of now' })
  @ApiProperty({ enum: REPRESENTATION_STATUSES })
  status: RepresentationStatus;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}
