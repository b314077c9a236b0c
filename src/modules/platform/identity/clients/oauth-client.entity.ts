import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { Organisation } from '../../organisations/organisation.entity';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * An agency system calling the API with OAuth 2.0 client credentials. It acts within its own
 * organisation's subtree with the scopes (permission names) it was given.
 */
@Entity('oauth_client')
export class OAuthClient extends BaseEntity {
  /** public identifier, `owc_` + 22 base64url characters */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 40 })
  clientId: string;

  @Column({ type: 'varchar', length: 200 })
  name: string;

  /**
   * SHA-256 (hex) of the secret. The secret is 32 random bytes, so it cannot be guessed or
   * dictionary-attacked and a slow hash would add nothing but CPU cost per token request.
   */
  @Column({ type: 'varchar', length: 64, select: false })
  secretHash: string;

  /** after a rotation the previous secret keeps working until previousSecretExpiresAt */
  @Column({ type: 'varchar', length: 64, nullable: true, select: false })
  previousSecretHash: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  previousSecretExpiresAt: Date | null;

  @Index()
  @Column({ type: 'uuid' })
  organisationId: string;
  /**
   * FK, ON DELETE RESTRICT: a unit with machine clients cannot be deleted until they are retired. For the
   * constraint only: code reads and writes organisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  /** lower-case hex SHA-256 of the client's TLS certificate (DER); when set, the token request must present it */
  @Column({ type: 'varchar', length: 64, nullable: true })
  certThumbprint: string | null;

  @Column({ default: true })
  active: boolean;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;
  /**
   * FK, ON DELETE SET NULL: who registered it is history (the audit log keeps it). For the constraint only:
   * code reads and writes createdBy.
   */
  @References(() => Account, 'SET NULL', 'created_by')
  readonly createdByAccount?: never;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
