import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../database/references';
import { Account } from '../../platform/identity/account.entity';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { BaseEntity } from '../../../database/base.entity';

export enum LicenceStatus {
  Active = 'active',
  Revoked = 'revoked',
}

/**
 * An e-licence (电子证照, GB/T 36901–36905 in spirit): the result of a handled application, signed
 * with the platform's Ed25519 key so anyone can check it, online through its verification code or
 * offline with the public key. Rows are never deleted: a revoked licence still answers "revoked".
 * What the signature covers is fixed at issue (see licence-signature.ts); status and revocation are
 * not signed, they are what the registry says now.
 */
@Entity('licence')
@Index(['holderAccountId', 'issuedAt'])
@Index(['issuerOrganisationId', 'issuedAt'])
export class Licence extends BaseEntity {
  /** human-readable: `<region>-<yyyy>-<random base32>` */
  @Index({ unique: true })
  @Column({ length: 40 })
  number: string;

  /** licence type code from the 证照目录, e.g. GTGSH-YYZZ */
  @Column({ length: 64 })
  licenceTypeCode: string;

  /** e.g. 个体工商户营业执照 */
  @Column({ length: 100 })
  licenceTypeName: string;

  /** the citizen or business account that holds it, when there is one */
  @Column({ type: 'uuid', nullable: true })
  holderAccountId: string | null;
  /**
   * FK, ON DELETE RESTRICT: a holder of licences cannot be deleted. For the constraint only: code reads and
   * writes holderAccountId.
   */
  @References(() => Account, 'RESTRICT', 'holder_account_id')
  readonly holderAccount?: never;

  /** full name (personal data): shown to the holder; masked everywhere else */
  @Column({ length: 100 })
  holderName: string;

  /** ID number or credit code, masked at issue; the full number is never stored */
  @Column({ type: 'varchar', length: 32, nullable: true })
  holderIdMasked: string | null;

  @Column({ type: 'uuid' })
  issuerOrganisationId: string;
  /**
   * FK, ON DELETE RESTRICT: an issuing unit cannot be deleted. For the constraint only: code reads and writes
   * issuerOrganisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'issuer_organisation_id')
  readonly issuerOrganisation?: never;

  /** the issuer's name when it issued the licence: a later rename does not rewrite what was signed */
  @Column({ length: 200 })
  issuerName: string;

  @Column({ type: 'timestamptz' })
  issuedAt: Date;

  /** first day of validity (YYYY-MM-DD, China Standard Time) */
  @Column({ type: 'date' })
  validFrom: string;

  /** last day of validity, inclusive; null: no expiry */
  @Column({ type: 'date', nullable: true })
  validUntil: string | null;

  /**
   * The licence content as [name, value] pairs in the issuer's order (a jsonb object would reorder
   * them, and a licence is read in its template's order). Plain text, no national ID numbers: it is
   * public on verification.
   */
  @Column({ type: 'jsonb' })
  fields: Array<[string, string]>;

  /** 16 Crockford base32 characters, printed and in the QR code */
  @Index({ unique: true })
  @Column({ length: 16 })
  verificationCode: string;

  /** base64 Ed25519 signature over the canonical payload */
  @Column({ length: 88 })
  signature: string;

  /** RFC 7638 thumbprint of the signing key */
  @Column({ length: 64 })
  keyId: string;

  @Column({ type: 'enum', enum: LicenceStatus, enumName: 'licence_status', default: LicenceStatus.Active })
  status: LicenceStatus;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'varchar', length: 500, nullable: true })
  revocationReason: string | null;

  /** what it resulted from, e.g. an application id */
  @Column({ type: 'varchar', length: 200, nullable: true })
  sourceReference: string | null;
}
