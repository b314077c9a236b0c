import { Injectable } from '@nestjs/common';
import { Permission } from '../../../../api/auth/permission';
import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { UUID_RE } from '../../../../database/uuid';
import type { AccessClaims } from '../access-token.service';

interface Row {
  kind: string | null;
  status: string | null;
  tokens_valid_after: Date | null;
  session_account: string | null;
  revoked_at: Date | null;
}

const refused = (): DomainError =>
  new DomainError(ErrorCode.InvalidToken, {}, [], { 'WWW-Authenticate': 'Bearer error="invalid_token"' });

/**
 * What a valid signature cannot tell: whether the account behind a citizen or staff token is still
 * active, whether the token predates a password change, and whether its session (sid) was ended
 * by logout, refresh-token reuse or a password change. An account token without a sid is refused:
 * every one belongs to a session, so logout and reuse detection always apply. One primary-key
 * query per authenticated request, deliberately not cached, so a logout takes effect on every
 * instance at once.
 */
@Injectable()
export class SessionCheckService {
  constructor(private readonly db: Db) {}

  /**
   * Throws INVALID_TOKEN when the token must no longer be honoured. Returns the grants the
   * account's kind carries by itself: SelfService for citizens and businesses, nothing for staff
   * (whose grants come from their roles) and nothing when no account has the token's subject.
   */
  async check(claims: AccessClaims & { iat?: number }): Promise<Permission[]> {
    if (claims.kind !== 'citizen' && claims.kind !== 'staff') return [];
    if (!UUID_RE.test(claims.sub) || typeof claims.sid !== 'string' || !UUID_RE.test(claims.sid))
      throw refused();
    const [row] = await this.db.query<Row>(
      `SELECT a.kind, a.status, a.tokens_valid_after, s.account_id AS session_account, s.revoked_at
       FROM auth_session s LEFT JOIN account a ON a.id = $1::uuid
       WHERE s.id = $2::uuid`,
      [claims.sub, claims.sid],
    );
    if (!row || row.session_account !== claims.sub || row.revoked_at) throw refused();
    // A live session of no account: opened by the server itself for a synthetic caller (tests,
    // tools; see RefreshTokensService.openSession). The principal decides what it may hold.
    if (!row.kind) return [];
    if (row.status !== 'active') throw refused();
    if ((row.kind === 'staff') !== (claims.kind === 'staff')) throw refused();
    // iat has whole seconds; tokens of the same second as the change die with their revoked session.
    if (
      row.tokens_valid_after &&
      (claims.iat ?? 0) < Math.floor(new Date(row.tokens_valid_after).getTime() / 1000)
    )
      throw refused();
    return row.kind === 'staff' ? [] : [Permission.SelfService];
  }
}
