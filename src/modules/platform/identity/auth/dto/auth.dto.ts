import { Field, InputType, Int, ObjectType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ApiExactlyOneOf } from '../../../../../api/http/openapi-conventions';
import { PHONE_PATTERN } from '../contact';
import { RECOVERY_CODE_PATTERN } from '../second-factor';
import { IsUnifiedSocialCreditCode, NormaliseCreditCode, PLAIN_TEXT } from './validators';

const CODE = /^\d{6}$/;

/** Exactly one of the two must be given. */
@InputType({ isAbstract: true })
@ApiExactlyOneOf('phone', 'email')
export class ContactDto {
  /** mobile number: mainland 11 digits (optionally +86) or E.164 */
  @Field({ nullable: true, description: 'mobile number: mainland 11 digits (optionally +86) or E.164' })
  @ApiPropertyOptional({ example: '13800138000', maxLength: 20 })
  @IsOptional()
  @IsString()
  @MaxLength(20)
  @Matches(PHONE_PATTERN)
  phone?: string;

  @Field({ nullable: true, description: 'e-mail address; give it or phone, not both' })
  @ApiPropertyOptional({ example: 'zhang.san@example.com', maxLength: 254 })
  @IsOptional()
  @IsString()
  @MaxLength(254)
  @IsEmail()
  email?: string;
}

@InputType('RegisterInput')
export class RegisterDto extends ContactDto {
  /** 8–128 characters, not all of one kind (lower case, upper case, digits, symbols), not a common password */
  @Field()
  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @MaxLength(128)
  password: string;

  @Field(() => String, { description: 'citizen or business' })
  @ApiProperty({ enum: ['citizen', 'business'] })
  @IsIn(['citizen', 'business'])
  kind: 'citizen' | 'business';

  /** what the account is called on screens; not the real name */
  @Field({ nullable: true })
  @ApiPropertyOptional({ maxLength: 50 })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  @Matches(PLAIN_TEXT)
  displayName?: string;

  /** business accounts only: 统一社会信用代码 */
  @Field({ nullable: true, description: 'business accounts only: 统一社会信用代码' })
  @ApiPropertyOptional({ example: '91350100M000100Y43', minLength: 18, maxLength: 18 })
  @IsOptional()
  @NormaliseCreditCode()
  @IsString()
  @IsUnifiedSocialCreditCode()
  unifiedSocialCreditCode?: string;
}

/**
 * The same answer whether or not the contact already had an account (no enumeration). A code is
 * sent at most once a minute per account; the password given with the registration whose code is
 * entered becomes the account's password.
 */
@ObjectType('RegistrationAccepted')
export class RegistrationAcceptedDto {
  @Field(() => String, { description: 'pending_verification' })
  @ApiProperty({ enum: ['pending_verification'] })
  status: 'pending_verification';

  /** where the code was sent */
  @Field({ description: 'where the code was sent: sms or email' })
  @ApiProperty({ enum: ['sms', 'email'] })
  channel: string;

  /** seconds the code stays valid */
  @Field(() => Int, { description: 'seconds the code stays valid' })
  codeExpiresIn: number;
}

@InputType('VerifyContactInput')
export class VerifyContactDto extends ContactDto {
  @Field()
  @ApiProperty({ example: '123456', pattern: CODE.source })
  @IsString()
  @Matches(CODE)
  code: string;
}

@InputType('LoginInput')
export class LoginDto {
  /** phone number, e-mail address or (staff) username */
  @Field({ description: 'phone number, e-mail address or (staff) username' })
  @ApiProperty({ example: '13800138000', maxLength: 254 })
  @IsString()
  @Length(1, 254)
  login: string;

  @Field()
  @ApiProperty({ maxLength: 128, format: 'password' })
  @IsString()
  @Length(1, 128)
  password: string;

  /** 6-digit code from the authenticator app, for accounts with a second factor */
  @Field({ nullable: true, description: '6-digit code from the authenticator app, where enrolled' })
  @ApiPropertyOptional({ example: '123456', pattern: CODE.source })
  @IsOptional()
  @IsString()
  @Matches(CODE)
  totp?: string;

  /** one of the recovery codes shown at TOTP enrolment, instead of `totp` (each works once) */
  @Field({
    nullable: true,
    description: 'a recovery code from TOTP enrolment, instead of totp; each works once',
  })
  @ApiPropertyOptional({ example: 'K7QPM-3XHWD', pattern: RECOVERY_CODE_PATTERN.source })
  @IsOptional()
  @IsString()
  @Matches(RECOVERY_CODE_PATTERN)
  recoveryCode?: string;
}

@InputType('RefreshInput')
export class RefreshDto {
  @Field({ description: 'the refresh token from login or the previous refresh' })
  @ApiProperty({
    description: 'the refresh token from login or the previous refresh',
    minLength: 43,
    maxLength: 43,
  })
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{43}$/)
  refreshToken: string;
}

@ObjectType('TokenPair', { description: 'An access token and its single-use refresh token.' })
export class TokenPairDto {
  /** JWT (RFC 9068 at+jwt); send as `Authorization: Bearer …` */
  @Field({ description: 'JWT (RFC 9068 at+jwt); send as Authorization: Bearer …' })
  accessToken: string;

  @Field(() => String, { description: 'Bearer' })
  @ApiProperty({ enum: ['Bearer'] })
  tokenType: 'Bearer';

  /** seconds the access token stays valid */
  @Field(() => Int, { description: 'seconds the access token stays valid' })
  expiresIn: number;

  /** opaque, single use: trade it at /v1/auth/refresh for a new pair */
  @Field({
    description: 'opaque, single use: trade it (refresh mutation or /v1/auth/refresh) for a new pair',
  })
  refreshToken: string;

  /** seconds the refresh token stays valid if unused */
  @Field(() => Int, { description: 'seconds the refresh token stays valid if unused' })
  refreshExpiresIn: number;

  /**
   * true when a role of this staff member needs a second factor they have not enrolled: the
   * session works, but those roles' permissions wait until POST /v1/staff/me/totp/confirm
   */
  @Field({
    nullable: true,
    description:
      "true when a role needs a second factor not yet enrolled: that role's permissions wait for the enrolment",
  })
  @ApiPropertyOptional()
  secondFactorEnrolmentRequired?: boolean;
}

@InputType('PasswordResetRequestInput')
export class PasswordResetRequestDto extends ContactDto {}

@ObjectType('PasswordResetAccepted')
export class PasswordResetAcceptedDto {
  @Field(() => String, { description: 'accepted' })
  @ApiProperty({ enum: ['accepted'] })
  status: 'accepted';
}

@InputType('PasswordResetConfirmInput')
export class PasswordResetConfirmDto extends ContactDto {
  @Field()
  @ApiProperty({ example: '123456', pattern: CODE.source })
  @IsString()
  @Matches(CODE)
  code: string;

  @Field()
  @ApiProperty({ minLength: 8, maxLength: 128, format: 'password' })
  @IsString()
  @MaxLength(128)
  newPassword: string;
}
