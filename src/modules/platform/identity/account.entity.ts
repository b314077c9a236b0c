import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../database/references';
import { Organisation } from '../organisations/organisation.entity';
import { BaseEntity } from '../../../database/base.entity';
import { IdentityAssurance, IdentityVerifiedBy } from './identity-assurance';

export enum AccountKind {
  Citizen = 'citizen',
  Business = 'business',
  Staff = 'staff',
}

export enum AccountStatus {
  /** registered, contact not yet verified */
  Pending = 'pending',
  Active = 'active',
  Disabled = 'disabled',
}

/**
 * A person's or business's login. Contact identifiers are stored normalised with a blind index
 * for lookup; the national ID number only encrypted (FieldCipher) plus its blind index.
 */
@Entity('account')
export class Account extends BaseEntity {
  @Column({ type: 'enum', enum: AccountKind, enumName: 'account_kind' })
  kind: AccountKind;

  @Column({ type: 'enum', enum: AccountStatus, enumName: 'account_status', default: AccountStatus.Pending })
  status: AccountStatus;

  /** normalised phone (E.164 without +86 prefix for mainland numbers) */
  @Index({ unique: true, where: 'phone IS NOT NULL' })
  @Column({ type: 'varchar', length: 20, nullable: true })
  phone: string | null;

  /** lower-cased e-mail */
  @Index({ unique: true, where: 'email IS NOT NULL' })
  @Column({ type: 'varchar', length: 254, nullable: true })
  email: string | null;

  /** staff login name */
  @Index({ unique: true, where: 'username IS NOT NULL' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  username: string | null;

  /** argon2id PHC string; null for accounts that only log in through OIDC */
  @Column({ type: 'varchar', length: 255, nullable: true, select: false })
  passwordHash: string | null;

  @Column({ type: 'varchar', length: 100, nullable: true })
  displayName: string | null;

  /** real name (实名) once verified */
  @Column({ type: 'varchar', length: 100, nullable: true })
  realName: string | null;

  /** how sure we are of realName and the national ID number (identity-assurance.ts) */
  @Column({
    type: 'enum',
    enum: IdentityAssurance,
    enumName: 'identity_assurance',
    default: IdentityAssurance.None,
  })
  identityAssurance: IdentityAssurance;

  /** who vouched for the identity, and when; both null while identityAssurance is `none` */
  @Column({ type: 'enum', enum: IdentityVerifiedBy, enumName: 'identity_verified_by', nullable: true })
  identityVerifiedBy: IdentityVerifiedBy | null;

  @Column({ type: 'timestamptz', nullable: true })
  identityVerifiedAt: Date | null;

  /** AES-256-GCM envelope of the national ID number */
  @Column({ type: 'varchar', length: 200, nullable: true, select: false })
  nationalIdEnc: string | null;

  /** keyed blind index of the national ID number, for lookup and uniqueness */
  @Index({ unique: true, where: 'national_id_bidx IS NOT NULL' })
  @Column({ type: 'varchar', length: 64, nullable: true })
  nationalIdBidx: string | null;

  /** last four characters, kept for masked display without decrypting */
  @Column({ type: 'varchar', length: 4, nullable: true })
  nationalIdLast4: string | null;

  /** display mask (first three and last four, `110***********1234`, maskNationalId), so showing it never decrypts */
  @Column({ type: 'varchar', length: 18, nullable: true })
  nationalIdMasked: string | null;

  /** business accounts: unified social credit code (GB 32100, public registry data, so stored in clear) */
  @Index({ unique: true, where: 'unified_social_credit_code IS NOT NULL' })
  @Column({ type: 'varchar', length: 18, nullable: true })
  unifiedSocialCreditCode: string | null;

  /** staff: home organisation unit */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  organisationId: string | null;
  /**
   * FK, ON DELETE RESTRICT: a unit with staff cannot be deleted. For the constraint only: code reads and
   * writes organisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  /** base32 TOTP secret, encrypted; staff second factor */
  @Column({ type: 'varchar', length: 200, nullable: true, select: false })
  totpSecretEnc: string | null;

  /** last accepted TOTP time step, so a code cannot be replayed within its window */
  @Column({ type: 'int', nullable: true, select: false })
  totpLastStep: number | null;

  /** an enrolment not yet confirmed with a code: its secret, encrypted, and when it was started */
  @Column({ type: 'varchar', length: 200, nullable: true, select: false })
  totpPendingEnc: string | null;

  @Column({ type: 'timestamptz', nullable: true, select: false })
  totpPendingAt: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastLoginAt: Date | null;

  /** bumps on password change or logout-everywhere; tokens issued before are refused */
  @Column({ type: 'timestamptz', nullable: true })
  tokensValidAfter: Date | null;
}
