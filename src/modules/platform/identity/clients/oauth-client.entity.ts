import { Column, Entity, Index } from 'typeorm';
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

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  scopes: string[];

  /** lower-case hex SHA-256 of the client's TLS certificate (DER); when set, the token request must present it */
  @Column({ type: 'varchar', length: 64, nullable: true })
  certThumbprint: string | null;

  @Column({ default: true })
  active: boolean;

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;
}
