import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import type { ActorKind, RequestContext } from '../../../../api/context/request-context';
import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { APP_CONFIG, AppConfig } from '../../../../config/config';
import { Db } from '../../../../database/db';
import { AccessTokenService } from '../access-token.service';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import { AuthSession } from './auth-session.entity';
import { RefreshToken } from './refresh-token.entity';
import { returning } from './sql';

export interface TokenPair {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  refreshToken: string;
  refreshExpiresIn: number;
}

export type RevokeReason = 'logout' | 'reuse' | 'password_change' | 'password_reset' | 'disabled';

/** Citizens and businesses act as the public party ('citizen' actors); staff as 'staff'. */
export function actorKindOf(kind: AccountKind): ActorKind {
  return kind === AccountKind.Staff ? 'staff' : 'citizen';
}

const sha256 = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');
const invalid = (): DomainError => new DomainError(ErrorCode.InvalidRefreshToken);

/** Sessions and their rotating refresh tokens. */
@Injectable()
export class RefreshTokensService {
  constructor(
    private readonly db: Db,
    private readonly accessTokens: AccessTokenService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Opens a session for an account that has just proven who it is; joins the caller's transaction. */
  async startSession(ctx: RequestContext, account: Pick<Account, 'id' | 'kind'>): Promise<TokenPair> {
    return this.db.transaction(async () =>
      this.issuePair(account, await this.openSession(ctx, account.id), null),
    );
  }

  /**
   * The session row alone (its id is the access tokens' sid). Every account token belongs to one,
   * so logout and refresh-token reuse always reach it; tools and tests that mint their own access
   * tokens open theirs here, the same way login does.
   */
  async openSession(ctx: RequestContext, accountId: string): Promise<string> {
    const session = this.db.repo(AuthSession).create({
      accountId,
      channel: ctx.channel,
      lastRefreshedAt: null,
      revokedAt: null,
      revokedReason: null,
    });
    await this.db.repo(AuthSession).save(session);
    return session.id;
  }

  /**
   * Trades a refresh token for a new pair in the same session. A token presented a second time
   * (stolen and used by someone else, or replayed) revokes the whole session: both holders must
   * sign in again, and the thief's access tokens stop working at once.
   */
  async rotate(_ctx: RequestContext, presented: string): Promise<TokenPair> {
    const row = await this.db.repo(RefreshToken).findOne({ where: { tokenHash: sha256(presented) } });
    if (!row) throw invalid();
    if (row.usedAt || row.revokedAt) {
      await this.revokeSession(row.sessionId, 'reuse');
      throw invalid();
    }
    if (row.expiresAt.getTime() <= Date.now()) throw invalid();
    const outcome = await this.db.transaction(async (): Promise<TokenPair | 'reused' | 'dead'> => {
      const session = await this.db.repo(AuthSession).findOne({ where: { id: row.sessionId } });
      const account = await this.db.repo(Account).findOne({ where: { id: row.accountId } });
      if (!session || session.revokedAt || !account || account.status !== AccountStatus.Active) return 'dead';
      // The guarded update is the claim: of two concurrent rotations only one sees used_at IS NULL.
      const claimed = await returning(
        this.db,
        `UPDATE refresh_token SET used_at = $2 WHERE id = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING id`,
        [row.id, new Date()],
      );
      if (!claimed.length) return 'reused';
      await this.db.repo(AuthSession).update({ id: session.id }, { lastRefreshedAt: new Date() });
      return this.issuePair(account, session.id, row.id);
    });
    if (outcome === 'reused') {
      await this.revokeSession(row.sessionId, 'reuse');
      throw invalid();
    }
    if (outcome === 'dead') throw invalid();
    return outcome;
  }

  /** Ends one session: its refresh tokens and its access tokens (by sid) are refused from now on. */
  revokeSession(sessionId: string, reason: RevokeReason): Promise<void> {
    return this.revokeWhere('session', sessionId, reason);
  }

  /** Ends every session of an account (password changed or reset, account disabled). */
  revokeAll(accountId: string, reason: RevokeReason): Promise<void> {
    return this.revokeWhere('account', accountId, reason);
  }

  /** Revokes the sessions, and their unused refresh tokens, of one session or of one account. */
  private async revokeWhere(by: 'session' | 'account', id: string, reason: RevokeReason): Promise<void> {
    // Fixed column names, never caller input.
    const [sessionColumn, tokenColumn] =
      by === 'session' ? ['id', 'session_id'] : ['account_id', 'account_id'];
    await this.db.transaction(async () => {
      const now = new Date();
      await this.db.query(
        `UPDATE auth_session SET revoked_at = $2, revoked_reason = $3 WHERE ${sessionColumn} = $1 AND revoked_at IS NULL`,
        [id, now, reason],
      );
      await this.db.query(
        `UPDATE refresh_token SET revoked_at = $2 WHERE ${tokenColumn} = $1 AND revoked_at IS NULL AND used_at IS NULL`,
        [id, now],
      );
    });
  }

  private async issuePair(
    account: Pick<Account, 'id' | 'kind'>,
    sessionId: string,
    parentId: string | null,
  ): Promise<TokenPair> {
    const refreshToken = randomBytes(32).toString('base64url');
    const ttl = this.config.jwt.refreshTtlSeconds;
    await this.db.repo(RefreshToken).save(
      this.db.repo(RefreshToken).create({
        sessionId,
        accountId: account.id,
        parentId,
        tokenHash: sha256(refreshToken),
        expiresAt: new Date(Date.now() + ttl * 1000),
        usedAt: null,
        revokedAt: null,
      }),
    );
    const access = await this.accessTokens.issue({
      sub: account.id,
      kind: actorKindOf(account.kind),
      sid: sessionId,
    });
    return {
      accessToken: access.token,
      tokenType: 'Bearer',
      expiresIn: access.expiresIn,
      refreshToken,
      refreshExpiresIn: ttl,
    };
  }
}
