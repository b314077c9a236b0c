import { Inject, Injectable, Optional } from '@nestjs/common';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { AuditService } from '../../audit/audit.service';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import type { TokenPairDto } from '../auth/dto/auth.dto';
import { RefreshTokensService } from '../auth/refresh-tokens.service';
import { maskMiddle } from '../personal-data/masking';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
import { ChannelIdentity } from './channel-identity.entity';
import { CHANNEL_PROVIDER, ChannelProvider } from './channel-provider';
import { ChannelCodeDto, ChannelIdentityDto } from './dto/channels.dto';

/** more than any one person links; keeps the list a bounded read */
const MAX_LISTED = 50;

const fieldError = (pointer: string, code: string, message: string): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [{ pointer, code, message }]);

/**
 * Linked channel identities (P2): a mini-program's openid belongs to one account. The client sends
 * only its fresh login code; the server exchanges it with the platform (ChannelProvider), so the
 * openid never comes from, nor goes back to, the client in clear.
 */
@Injectable()
export class ChannelsService {
  constructor(
    private readonly db: Db,
    private readonly personalData: PersonalDataService,
    private readonly sessions: RefreshTokensService,
    @Inject(CHANNEL_PROVIDER) private readonly provider: ChannelProvider,
    @Optional() private readonly audit?: AuditService,
  ) {}

  /**
   * Links the identity behind the code to the caller. Linking it again to the same account answers
   * the existing link; an identity linked to another account is a 409, and so is a second identity
   * of the same app for this account (unlink the old one first).
   */
  async bind(ctx: RequestContext, dto: ChannelCodeDto): Promise<ChannelIdentityDto> {
    const accountId = selfId(ctx);
    const openid = await this.exchange(dto, 'bind');
    const openidBidx = this.blindIndex(dto, openid);
    return this.db.transaction(async () => {
      // Serialises concurrent links by the same account (the unique indexes settle the rest).
      if (!(await this.db.query('SELECT 1 FROM account WHERE id = $1 FOR UPDATE', [accountId])).length)
        throw notFound('account');
      const existing = await this.db
        .repo(ChannelIdentity)
        .findOne({ where: { channel: dto.channel, appId: dto.appId, openidBidx } });
      if (existing?.accountId === accountId) return toDto(existing);
      if (existing)
        throw conflict(
          ctx,
          '该小程序身份已绑定其他账号',
          'this mini-program identity is linked to another account',
        );
      if (
        await this.db
          .repo(ChannelIdentity)
          .exists({ where: { accountId, channel: dto.channel, appId: dto.appId } })
      )
        throw conflict(
          ctx,
          '本账号已绑定该小程序的另一身份，请先解绑',
          'this account already has an identity in this mini-program; unlink it first',
        );
      const row = await this.db.repo(ChannelIdentity).save(
        this.db.repo(ChannelIdentity).create({
          channel: dto.channel,
          appId: dto.appId,
          openidBidx,
          openidEnc: this.personalData.encrypt(PersonalField.ChannelOpenid, openid),
          openidMasked: maskMiddle(openid, 3, 4),
          accountId,
        }),
      );
      await this.audit?.append(ctx, {
        action: 'channel.bind',
        resourceType: 'channel_identity',
        resourceId: row.id,
        subjectId: accountId,
      });
      return toDto(row);
    });
  }

  async list(ctx: RequestContext): Promise<ChannelIdentityDto[]> {
    const accountId = selfId(ctx);
    const rows = await this.db
      .repo(ChannelIdentity)
      .find({ where: { accountId }, order: { createdAt: 'ASC', id: 'ASC' }, take: MAX_LISTED });
    return rows.map(toDto);
  }

  /** Removes the link (and with it the stored openid); another account's link is a 404. */
  async unbind(ctx: RequestContext, id: string): Promise<void> {
    const accountId = selfId(ctx);
    await this.db.transaction(async () => {
      const row = await this.db
        .repo(ChannelIdentity)
        .findOne({ where: { id, accountId }, lock: { mode: 'pessimistic_write' } });
      if (!row) throw notFound('channel identity');
      await this.db.repo(ChannelIdentity).delete({ id: row.id });
      await this.audit?.append(ctx, {
        action: 'channel.unbind',
        resourceType: 'channel_identity',
        resourceId: row.id,
        subjectId: accountId,
      });
    });
  }

  /**
   * Signs in with a mini-program login code. An unknown code and a code whose identity is not linked
   * answer alike (401), so nobody learns whether a WeChat user has an account here.
   */
  async login(ctx: RequestContext, dto: ChannelCodeDto): Promise<TokenPairDto> {
    const openid = await this.exchange(dto, 'login');
    const link = await this.db.repo(ChannelIdentity).findOne({
      where: { channel: dto.channel, appId: dto.appId, openidBidx: this.blindIndex(dto, openid) },
    });
    const account = link ? await this.db.repo(Account).findOne({ where: { id: link.accountId } }) : null;
    if (!account || account.kind === AccountKind.Staff) throw new DomainError(ErrorCode.InvalidCredentials);
    // The caller proved the platform identity, so may learn that its account is disabled.
    if (account.status !== AccountStatus.Active) throw new DomainError(ErrorCode.AccountDisabled);
    return this.db.transaction(async () => {
      // Sign-in bookkeeping only: the password lockout is left as it is (this is another factor).
      await this.db.query('UPDATE account SET last_login_at = $2 WHERE id = $1', [account.id, new Date()]);
      return this.sessions.startSession(ctx, account);
    });
  }

  private async exchange(dto: ChannelCodeDto, use: 'bind' | 'login'): Promise<string> {
    const result = await this.provider.exchange(dto.channel, dto.appId, dto.code);
    switch (result.outcome) {
      case 'ok':
        return result.openid;
      case 'unknown-app':
        throw fieldError('/appId', 'unknownApp', 'no such mini-program is configured for this channel');
      case 'rejected':
        if (use === 'login') throw new DomainError(ErrorCode.InvalidCredentials);
        throw fieldError(
          '/code',
          'channelCodeInvalid',
          'the platform refused this code; get a new one with wx.login',
        );
      default:
        throw new DomainError(ErrorCode.ServiceUnavailable, {}, [], { 'Retry-After': '5' });
    }
  }

  /** Bound to channel and app as well, so one value seen in two apps gives unrelated hashes. */
  private blindIndex(dto: Pick<ChannelCodeDto, 'channel' | 'appId'>, openid: string): string {
    return this.personalData.blindIndex(
      PersonalField.ChannelOpenid,
      `${dto.channel}\n${dto.appId}\n${openid}`,
    );
  }
}

function selfId(ctx: RequestContext): string {
  if (ctx.actor.kind !== 'citizen' || !ctx.actor.id) throw new DomainError(ErrorCode.Forbidden);
  return ctx.actor.id;
}

function toDto(r: ChannelIdentity): ChannelIdentityDto {
  return {
    id: r.id,
    channel: r.channel,
    appId: r.appId,
    openid: r.openidMasked,
    createdAt: r.createdAt.toISOString(),
  };
}

function conflict(ctx: RequestContext, zh: string, en: string): DomainError {
  return new DomainError(ErrorCode.Conflict, { reason: ctx.language === 'en' ? en : zh });
}
