import { ArgsType, Field, ID, InputType, Int, ObjectType, registerEnumType } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsEmail,
  IsEnum,
  IsIn,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  MaxLength,
} from 'class-validator';
import { IsInstant } from '../../../../../api/errors/validation';
import { Permission } from '../../../../../api/auth/permission';
import { PERMISSION_NAMES } from '../../../../../api/auth/permission-registry';
import { ConnectionArgs } from '../../../../../api/graphql/connection';
import { PageQuery } from '../../../../../api/http/pagination';
import { RoleName } from '../role-catalogue';
import { DateTimeScalar } from '../../../../../api/graphql/scalars';

const USERNAME = /^[a-z][a-z0-9._-]{2,63}$/;
const MOBILE = /^1[3-9]\d{9}$/;

// GraphQL enums use the TypeScript member names (Clerk, OrgAdmin), as the other enums of the schema do.
registerEnumType(RoleName, { name: 'RoleName' });

@ObjectType('Role', { description: 'A staff role and the permissions it bundles.' })
export class RoleDto {
  @Field(() => RoleName)
  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  name: RoleName;

  /** the role's name in the caller's language */
  @Field({ description: "the role's name in the caller's language" })
  title: string;

  @Field(() => [String], { description: 'permission names, e.g. case:handle' })
  @ApiProperty({ enum: PERMISSION_NAMES, enumName: 'Permission', isArray: true })
  permissions: Permission[];
}

@ObjectType('RoleAssignment')
export class RoleAssignmentDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => RoleName)
  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  role: RoleName;

  /** the unit the role is held in (and below); null for a global grant */
  @Field(() => ID, {
    nullable: true,
    description: 'the unit the role is held in (and below); null for a global grant',
  })
  @ApiProperty({ format: 'uuid', type: 'string', nullable: true })
  organisationId: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  validFrom: string | null;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  validUntil: string | null;

  @Field(() => ID, { nullable: true })
  @ApiProperty({ format: 'uuid', type: 'string', nullable: true })
  grantedBy: string | null;
}

@ObjectType('Staff', { description: 'A staff account with the roles it holds.' })
export class StaffDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** login name */
  @Field({ description: 'login name' })
  username: string;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true })
  displayName: string | null;

  /** home unit; null once the unit was deleted (the foreign key empties it) or for a staff account made without one */
  @Field(() => ID, { nullable: true, description: 'home unit; null when the account has none' })
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true })
  organisationId: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true })
  email: string | null;

  @Field(() => String, { nullable: true })
  @ApiProperty({ type: 'string', nullable: true })
  phone: string | null;

  @Field({ description: 'active, disabled or pending' })
  @ApiProperty({ enum: ['active', 'disabled', 'pending'] })
  status: string;

  /** a TOTP second factor is enrolled */
  @Field({ description: 'a TOTP second factor is enrolled' })
  totpEnabled: boolean;

  @Field(() => [RoleAssignmentDto])
  @ApiProperty({ type: [RoleAssignmentDto] })
  roles: RoleAssignmentDto[];

  /** increases on every change; send it back as If-Match "v<version>" */
  @Field(() => Int, { description: 'increases on every change; pass it as expectedVersion to updateStaff' })
  version: number;
}

export class StaffPageDto {
  @ApiProperty({ type: [StaffDto], maxItems: 100 })
  items: StaffDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

@InputType('CreateStaffInput')
export class CreateStaffDto {
  /** login name: lower-case letters, digits, `.`, `_`, `-`; starts with a letter */
  @Field()
  @Matches(USERNAME)
  username: string;

  @Field()
  @IsString()
  @Length(1, 100)
  displayName: string;

  /** initial password, 8 to 128 characters */
  @Field()
  @IsString()
  @Length(8, 128)
  password: string;

  /** home unit; must be within the caller's staff:manage scope */
  @Field(() => ID)
  @IsUUID()
  organisationId: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  /** mainland mobile number, 11 digits */
  @Field({ nullable: true })
  @IsOptional()
  @Matches(MOBILE)
  phone?: string;
}

/** PUT body: the full editable state. Disabling an account ends its sessions at once. */
@InputType('UpdateStaffInput')
export class UpdateStaffDto {
  @Field()
  @IsString()
  @Length(1, 100)
  displayName: string;

  @Field(() => ID)
  @IsUUID()
  organisationId: string;

  @Field({ nullable: true })
  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @Field({ nullable: true })
  @IsOptional()
  @Matches(MOBILE)
  phone?: string;

  @Field(() => String, { description: 'active or disabled' })
  @ApiProperty({ enum: ['active', 'disabled'] })
  @IsIn(['active', 'disabled'])
  status: 'active' | 'disabled';
}

@ArgsType()
export class StaffArgs extends ConnectionArgs {
  @Field(() => ID, { nullable: true, description: 'only staff whose home unit is this one or below it' })
  @IsOptional()
  @IsUUID()
  within?: string;

  @Field({ nullable: true, description: 'start of the login name or display name' })
  @IsOptional()
  @IsString()
  @Length(1, 50)
  q?: string;
}

export class StaffQueryDto extends PageQuery {
  /** only staff whose home unit is this one or below it */
  @IsOptional()
  @IsUUID()
  within?: string;

  /** start of the login name or display name */
  @IsOptional()
  @IsString()
  @Length(1, 50)
  q?: string;
}

@InputType('AssignRoleInput')
export class AssignRoleDto {
  @Field(() => RoleName)
  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  @IsEnum(RoleName)
  role: RoleName;

  /** the unit the role is held in; omit only for a global 'admin' grant */
  @Field(() => ID, { nullable: true })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  validFrom?: string;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  validUntil?: string;
}

@ObjectType('Delegation', { description: 'A role lent to a colleague for a validity window.' })
export class DelegationDto {
  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  id: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  fromAccountId: string;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  toAccountId: string;

  @Field(() => RoleName)
  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  role: RoleName;

  @Field(() => ID)
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  validFrom: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  validUntil: string;

  @Field()
  reason: string;

  @Field(() => DateTimeScalar, { nullable: true })
  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  revokedAt: string | null;
}

@InputType('CreateDelegationInput')
export class CreateDelegationDto {
  /** the colleague who will act for you */
  @Field(() => ID)
  @IsUUID()
  toAccountId: string;

  /** a role you hold yourself at or above organisationId */
  @Field(() => RoleName)
  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  @IsEnum(RoleName)
  role: RoleName;

  @Field(() => ID)
  @IsUUID()
  organisationId: string;

  @Field(() => DateTimeScalar)
  @ApiProperty({ format: 'date-time' })
  @IsInstant()
  validFrom: string;

  /** at most 90 days after validFrom */
  @Field(() => DateTimeScalar, { description: 'at most 90 days after validFrom' })
  @ApiProperty({ format: 'date-time' })
  @IsInstant()
  validUntil: string;

  /** why, e.g. 休假 2026-03-01 至 03-10 */
  @Field()
  @IsString()
  @Length(2, 500)
  reason: string;
}

@ObjectType('StaffProfile', {
  description: 'The signed-in staff member: account, roles and current delegations.',
})
export class StaffProfileDto extends StaffDto {
  /** delegations you gave or received that have not ended */
  @Field(() => [DelegationDto])
  @ApiProperty({ type: [DelegationDto] })
  delegations: DelegationDto[];
}

@ObjectType('TotpEnrolment', {
  description: 'A new TOTP authenticator, shown this once; it is on only once a code from it is confirmed.',
})
export class TotpEnrolmentDto {
  /** base32 secret, shown once */
  @Field({ description: 'base32 secret, shown once' })
  secret: string;

  /** otpauth:// URI for authenticator apps (render it as a QR code), shown once */
  @Field({ description: 'otpauth:// URI for authenticator apps, shown once' })
  otpauthUri: string;

  /** seconds left to confirm it with a code (POST /v1/staff/me/totp/confirm) */
  @Field(() => Int, { description: 'seconds left to confirm it with a code (confirmTotp)' })
  expiresIn: number;
}

@InputType('StartTotpEnrolmentInput')
export class StartTotpEnrolmentDto {
  /** your current password: a borrowed or stolen session alone cannot bind an authenticator */
  @Field({ description: 'your current password: a session alone cannot bind an authenticator' })
  @ApiProperty({ maxLength: 128, format: 'password' })
  @IsString()
  @Length(1, 128)
  password: string;
}

@InputType('ConfirmTotpInput')
export class ConfirmTotpDto {
  /** the 6-digit code the new authenticator shows now */
  @Field({ description: 'the 6-digit code the new authenticator shows now' })
  @ApiProperty({ example: '123456', pattern: '^\\d{6}$' })
  @IsString()
  @Matches(/^\d{6}$/)
  code: string;
}

@ObjectType('TotpConfirmation', {
  description: 'The second factor is on. The recovery codes are shown this once; each works once.',
})
export class TotpConfirmationDto {
  /** single-use codes to sign in with instead of a TOTP code (a lost phone); shown this once */
  @Field(() => [String], {
    description: 'single-use codes to sign in with instead of a TOTP code; shown once',
  })
  @ApiProperty({ type: [String], example: ['K7QPM-3XHWD'] })
  recoveryCodes: string[];
}
