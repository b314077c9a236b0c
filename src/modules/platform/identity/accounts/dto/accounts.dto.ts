import { applyDecorators } from '@nestjs/common';
import { ArgsType, Field, ID, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsDefined,
  IsEnum,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { AccountKind, AccountStatus } from '../../account.entity';
import { IsNationalId, NormaliseNationalId, PLAIN_TEXT } from '../../auth/dto/validators';
import { DateTimeScalar } from '../../../../../api/graphql/scalars';

/** Fields a holder of personal-data:unmask may ask to see in clear (each unmasking is audited). */
export enum UnmaskField {
  nationalId = 'nationalId',
  realName = 'realName',
  phone = 'phone',
  email = 'email',
}
registerEnumType(UnmaskField, {
  name: 'UnmaskField',
  description: 'A personal-data field shown in clear on request (needs personal-data:unmask and a reason).',
});

const UNMASK_FIELDS = Object.values(UnmaskField);

/** `unmask=nationalId,phone` or `unmask=nationalId&unmask=phone` → ['nationalId', 'phone'] */
const toList = ({ value }: { value: unknown }): unknown => {
  if (typeof value === 'string') return value.split(',').map((s) => s.trim());
  if (Array.isArray(value) && value.every((v) => typeof v === 'string'))
    return value.flatMap((v: string) => v.split(',').map((s) => s.trim()));
  return value;
};

/** The stated reason: shown to the citizen in "who accessed my data". */
const REASON_DESCRIPTION =
  'why the data is needed (5 to 200 characters); shown to the citizen in GET /v1/me/data-access';

/**
 * The stated reason's checks (5 to 200 characters of plain text), wherever personal data is read.
 * applyDecorators runs its list in order and a stack runs bottom-up, so this is the old stack
 * reversed: class-validator checks and reports the constraints in the same order as before.
 */
const ReasonText = () => applyDecorators(Matches(PLAIN_TEXT), Length(5, 200), IsString());

export class AccountReadQueryDto {
  /** fields to show in clear, comma-separated: nationalId, realName, phone, email; needs personal-data:unmask and a reason */
  @ApiPropertyOptional({
    type: 'string',
    maxLength: 40,
    pattern: '^(nationalId|realName|phone|email)(,(nationalId|realName|phone|email)){0,3}$',
    example: 'nationalId',
  })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(UNMASK_FIELDS.length)
  @ArrayUnique()
  @IsEnum(UnmaskField, { each: true })
  unmask?: UnmaskField[];

  /** required with unmask; recorded with every read when given */
  @ApiPropertyOptional({ minLength: 5, maxLength: 200, description: REASON_DESCRIPTION })
  @ValidateIf((o: AccountReadQueryDto) => o.unmask !== undefined || o.reason !== undefined)
  @IsDefined()
  @ReasonText()
  reason?: string;
}

/** GraphQL twin of GET /v1/accounts/{id}. */
@ArgsType()
export class AccountArgs {
  @Field(() => ID)
  @IsUUID()
  id: string;

  @Field(() => [UnmaskField], {
    nullable: true,
    description: 'fields to show in clear; needs personal-data:unmask and a reason',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(UNMASK_FIELDS.length)
  @ArrayUnique()
  @IsEnum(UnmaskField, { each: true })
  unmask?: UnmaskField[];

  @Field(() => String, { nullable: true, description: REASON_DESCRIPTION })
  @ValidateIf((o: AccountArgs) => (o.unmask !== undefined && o.unmask !== null) || o.reason != null)
  @IsDefined()
  @ReasonText()
  reason?: string;
}

/** Finds an account by national ID number: the number travels in the body, never in a URL. */
export class AccountLookupDto {
  /** 18-character resident ID number (GB 11643); matched through its blind index */
  @ApiProperty({ minLength: 18, maxLength: 18, writeOnly: true })
  @NormaliseNationalId()
  @IsString()
  @IsNationalId()
  nationalId: string;

  @ApiProperty({ minLength: 5, maxLength: 200, description: REASON_DESCRIPTION })
  @ReasonText()
  reason: string;
}

/** A citizen's or business's account as staff see it: personal data masked unless unmasked on request. */
@ObjectType('AccountProfile', {
  description: "A citizen's or business's account as staff see it; personal data masked unless unmasked.",
})
export class AccountProfileDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => AccountKind)
  @ApiProperty({ enum: [AccountKind.Citizen, AccountKind.Business] })
  kind: AccountKind;

  @Field(() => AccountStatus)
  @ApiProperty({ enum: AccountStatus, enumName: 'AccountStatus' })
  status: AccountStatus;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 100 })
  displayName: string | null;

  /** masked (张**) unless unmasked */
  @Field(() => String, { nullable: true, description: 'masked (张**) unless unmasked' })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 100 })
  realName: string | null;

  /** masked (110***********1234) unless unmasked */
  @Field(() => String, { nullable: true, description: 'masked (110***********1234) unless unmasked' })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 18 })
  nationalId: string | null;

  /** masked (138****8000) unless unmasked */
  @Field(() => String, { nullable: true, description: 'masked (138****8000) unless unmasked' })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 20 })
  phone: string | null;

  /** masked (z***@example.com) unless unmasked */
  @Field(() => String, { nullable: true, description: 'masked (z***@example.com) unless unmasked' })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 254 })
  email: string | null;

  /** business accounts: 统一社会信用代码 (public registry data) */
  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true, maxLength: 18 })
  unifiedSocialCreditCode: string | null;

  /** the fields shown in clear in this answer */
  @Field(() => [UnmaskField], { description: 'the fields shown in clear in this answer' })
  @ApiProperty({ enum: UnmaskField, enumName: 'UnmaskField', isArray: true, maxItems: 4 })
  unmasked: UnmaskField[];

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @Field(() => Int)
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 2147483647 })
  version: number;
}
