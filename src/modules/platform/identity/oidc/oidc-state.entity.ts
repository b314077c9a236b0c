import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * One started sign-in at the external provider, kept server-side so the browser carries nothing
 * but the random `state`: the PKCE verifier and the nonce never leave this table, the row is
 * deleted when the callback claims it (single use), and it expires 10 minutes after it was made.
 */
@Entity('oidc_state')
export class OidcState extends BaseEntity {
  /** SHA-256 of the state value (256 random bits), so a read of this table cannot finish a login */
  @Index({ unique: true })
  @Column({ type: 'varchar', length: 64 })
  stateHash: string;

  /** RFC 7636 code_verifier, sent with the code to the token endpoint */
  @Column({ type: 'varchar', length: 128 })
  codeVerifier: string;

  /** expected `nonce` claim of the ID token */
  @Column({ type: 'varchar', length: 128 })
  nonce: string;

  /** SHA-256 of the browser binding cookie set with this sign-in (frontend redirect mode); null otherwise */
  @Column({ type: 'varchar', length: 64, nullable: true })
  bindingHash: string | null;

  /** allowlisted portal URL echoed back after the login */
  @Column({ type: 'varchar', length: 2048, nullable: true })
  returnTo: string | null;

  @Index()
  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}
