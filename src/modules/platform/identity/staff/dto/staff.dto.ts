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
import { PageQuery } from '../../../../../api/http/pagination';
import { RoleName } from '../role-catalogue';

const USERNAME = /^[a-z][a-z0-9._-]{2,63}$/;
const MOBILE = /^1[3-9]\d{9}$/;

export class RoleDto {
  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  name: RoleName;

  /** the role's name in the caller's language */
  title: string;

  @ApiProperty({ enum: Permission, enumName: 'Permission', isArray: true })
  permissions: Permission[];
}

export class RoleAssignmentDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  role: RoleName;

  /** the unit the role is held in (and below); null for a global grant */
  @ApiProperty({ format: 'uuid', type: 'string', nullable: true })
  organisationId: string | null;

  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  validFrom: string | null;

  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  validUntil: string | null;

  @ApiProperty({ format: 'uuid', type: 'string', nullable: true })
  grantedBy: string | null;
}

export class StaffDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** login name */
  username: string;

  @ApiProperty({ type: 'string', nullable: true })
  displayName: string | null;

  /** home unit */
  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty({ type: 'string', nullable: true })
  email: string | null;

  @ApiProperty({ type: 'string', nullable: true })
  phone: string | null;

  @ApiProperty({ enum: ['active', 'disabled', 'pending'] })
  status: string;

  /** a TOTP second factor is enrolled */
  totpEnabled: boolean;

  @ApiProperty({ type: [RoleAssignmentDto] })
  roles: RoleAssignmentDto[];

  /** increases on every change; send it back as If-Match "v<version>" */
  version: number;
}

export class StaffPageDto {
  @ApiProperty({ type: [StaffDto], maxItems: 100 })
  items: StaffDto[];

  @ApiProperty({ type: 'string', nullable: true, maxLength: 512 })
  nextCursor: string | null;
}

export class CreateStaffDto {
  /** login name: lower-case letters, digits, `.`, `_`, `-`; starts with a letter */
  @Matches(USERNAME)
  username: string;

  @IsString()
  @Length(1, 100)
  displayName: string;

  /** initial password, 8 to 128 characters */
  @IsString()
  @Length(8, 128)
  password: string;

  /** home unit; must be within the caller's staff:manage scope */
  @IsUUID()
  organisationId: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  /** mainland mobile number, 11 digits */
  @IsOptional()
  @Matches(MOBILE)
  phone?: string;
}

/** PUT body: the full editable state. Disabling an account ends its sessions at once. */
export class UpdateStaffDto {
  @IsString()
  @Length(1, 100)
  displayName: string;

  @IsUUID()
  organisationId: string;

  @IsOptional()
  @IsEmail()
  @MaxLength(254)
  email?: string;

  @IsOptional()
  @Matches(MOBILE)
  phone?: string;

  @ApiProperty({ enum: ['active', 'disabled'] })
  @IsIn(['active', 'disabled'])
  status: 'active' | 'disabled';
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

export class AssignRoleDto {
  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  @IsEnum(RoleName)
  role: RoleName;

  /** the unit the role is held in; omit only for a global 'admin' grant */
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  validFrom?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsInstant()
  validUntil?: string;
}

export class DelegationDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  fromAccountId: string;

  @ApiProperty({ format: 'uuid' })
  toAccountId: string;

  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  role: RoleName;

  @ApiProperty({ format: 'uuid' })
  organisationId: string;

  @ApiProperty({ format: 'date-time' })
  validFrom: string;

  @ApiProperty({ format: 'date-time' })
  validUntil: string;

  reason: string;

  @ApiProperty({ format: 'date-time', type: 'string', nullable: true })
  revokedAt: string | null;
}

export class CreateDelegationDto {
  /** the colleague who will act for you */
  @IsUUID()
  toAccountId: string;

  /** a role you hold yourself at or above organisationId */
  @ApiProperty({ enum: RoleName, enumName: 'RoleName' })
  @IsEnum(RoleName)
  role: RoleName;

  @IsUUID()
  organisationId: string;

  @ApiProperty({ format: 'date-time' })
  @IsInstant()
  validFrom: string;

  /** at most 90 days after validFrom */
  @ApiProperty({ format: 'date-time' })
  @IsInstant()
  validUntil: string;

  /** why, e.g. 休假 2026-03-01 至 03-10 */
  @IsString()
  @Length(2, 500)
  reason: string;
}

export class StaffProfileDto extends StaffDto {
  /** delegations you gave or received that have not ended */
  @ApiProperty({ type: [DelegationDto] })
  delegations: DelegationDto[];
}

export class TotpEnrolmentDto {
  /** base32 secret, shown once */
  secret: string;

  /** otpauth:// URI for authenticator apps (render it as a QR code), shown once */
  otpauthUri: string;
}
