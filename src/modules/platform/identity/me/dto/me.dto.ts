import { Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { AccountKind, AccountStatus } from '../../account.entity';
import { IdentityAssurance } from '../../identity-assurance.graphql';
import {
  IsNationalId,
  IsUnifiedSocialCreditCode,
  NormaliseCreditCode,
  NormaliseNationalId,
  PLAIN_TEXT,
} from '../../auth/dto/validators';
import { DateTimeScalar } from '../../../../../api/graphql/scalars';

registerEnumType(AccountKind, { name: 'AccountKind' });
registerEnumType(AccountStatus, { name: 'AccountStatus' });

/** letters of any script, combining marks, and the separators names use (·, space, ', -, .) */
export const REAL_NAME = /^[\p{L}\p{M}·•.' -]+$/u;

/** The signed-in account as its holder sees it: personal data masked, secrets never included. */
@ObjectType('Me', { description: 'The signed-in citizen or business account; personal data masked.' })
export class MeDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => AccountKind)
  @ApiProperty({ enum: AccountKind, enumName: 'AccountKind' })
  kind: AccountKind;

  @Field(() => AccountStatus)
  @ApiProperty({ enum: AccountStatus, enumName: 'AccountStatus' })
  status: AccountStatus;

  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  displayName: string | null;

  /** masked, e.g. 138****8000 */
  @Field(() => String, { nullable: true, description: 'masked, e.g. 138****8000' })
  @ApiPropertyOptional({ type: 'string', nullable: true, example: '138****8000' })
  phone: string | null;

  /** masked, e.g. z***@example.com */
  @Field(() => String, { nullable: true, description: 'masked, e.g. z***@example.com' })
  @ApiPropertyOptional({ type: 'string', nullable: true, example: 'z***@example.com' })
  email: string | null;

  /** masked, e.g. 张** */
  @Field(() => String, { nullable: true, description: 'masked, e.g. 张**' })
  @ApiPropertyOptional({ type: 'string', nullable: true, example: '张**' })
  realName: string | null;

  /** masked: the first three and the last four characters, e.g. 110***********1234 */
  @Field(() => String, {
    nullable: true,
    description: 'masked: first three and last four characters, e.g. 110***********1234',
  })
  @ApiPropertyOptional({ type: 'string', nullable: true, example: '110***********1234', maxLength: 18 })
  nationalId: string | null;

  /** how sure we are of the real name and ID number: none (self-declared) or real_name (verified) */
  @Field(() => IdentityAssurance, {
    description: 'none: self-declared; real_name: verified through the national eID or at a counter',
  })
  @ApiProperty({ enum: IdentityAssurance, enumName: 'IdentityAssurance' })
  identityAssurance: IdentityAssurance;

  /** when the identity was verified (null while none) */
  @Field(() => DateTimeScalar, {
    nullable: true,
    description: 'when the identity was verified (null while none)',
  })
  @ApiPropertyOptional({ type: 'string', format: 'date-time', nullable: true })
  identityVerifiedAt: string | null;

  /** business accounts: the unified social credit code (public registry data, shown in full) */
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true })
  unifiedSocialCreditCode: string | null;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  /** increases on every profile change */
  @Field(() => Int)
  version: number;
}

/** Fields left out stay as they are; null clears one. */
@InputType('UpdateProfileInput', { description: 'Fields left out stay as they are; null clears one.' })
export class UpdateProfileDto {
  @Field(() => String, { nullable: true })
  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 50 })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  @Matches(PLAIN_TEXT)
  displayName?: string | null;

  /** real name (实名) as on the identity card */
  @Field(() => String, { nullable: true, description: 'real name (实名) as on the identity card' })
  @ApiPropertyOptional({ type: 'string', nullable: true, maxLength: 50, example: '张三' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  @Matches(REAL_NAME)
  realName?: string | null;

  /** 18-character resident ID number; stored encrypted, shown masked, never echoed */
  @Field(() => String, {
    nullable: true,
    description: '18-character resident ID number; shown masked, never echoed',
  })
  @ApiPropertyOptional({ type: 'string', nullable: true, minLength: 18, maxLength: 18, writeOnly: true })
  @IsOptional()
  @NormaliseNationalId()
  @IsString()
  @IsNationalId()
  nationalId?: string | null;

  /** business accounts only */
  @Field(() => String, { nullable: true, description: 'business accounts only' })
  @ApiPropertyOptional({ type: 'string', nullable: true, minLength: 18, maxLength: 18 })
  @IsOptional()
  @NormaliseCreditCode()
  @IsString()
  @IsUnifiedSocialCreditCode()
  unifiedSocialCreditCode?: string | null;
}

@InputType('ChangePasswordInput')
export class ChangePasswordDto {
  @Field()
  @ApiProperty({ maxLength: 128, format: 'password' })
  @IsString()
  @Length(1, 128)
  currentPassword: string;

  /** 8–128 characters, not all of one kind, not a common password, different from the current one */
  @Field({ description: '8–128 characters, not all of one kind, not common, not the current one' })
  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @MaxLength(128)
  newPassword: string;
}
