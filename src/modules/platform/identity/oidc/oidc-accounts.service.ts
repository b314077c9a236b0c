import { Injectable, Optional } from '@nestjs/common';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { AuditService } from '../../audit/audit.service';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import { IdentityAssurance, IdentityVerifiedBy } from '../identity-assurance';
import { maskNationalId } from '../personal-data/masking';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
import { ExternalIdentity } from './external-identity.entity';
import type { ExternalPerson } from './oidc-claims';

export interface ResolvedAccount {
  account: Account;
  linked: 'existing' | 'created';
}

type NationalIdColumns = Pick<
  Account,
  'nationalIdEnc' | 'nationalIdBidx' | 'nationalIdLast4' | 'nationalIdMasked'
>;

/**
 * Which account an eID sign-in lands in, and what the eID may write to it. Runs inside the
 * sign-in's transaction (OidcService.callback).
 */
@Injectable()
export class OidcAccountsService {
  constructor(
    private readonly db: Db,
    private readonly personalData: PersonalDataService,
    @Optional() private readonly audit?: AuditService,
  ) {}

  /**
   * The account for this external identity, in order: the one already linked; the citizen account
   * holding the same national ID, verified phone or verified e-mail (linked now); a new one. With
   * `assured` (the ID token's acr met OIDC_ACR_VALUES) the provider's name and ID number also
   * become the account's verified identity (verify).
   */
  async resolve(
    ctx: RequestContext,
    issuer: string,
    person: ExternalPerson,
    assured: boolean,
  ): Promise<ResolvedAccount> {
    const nationalIdBidx = person.nationalId
      ? this.personalData.blindIndex(PersonalField.NationalId, person.nationalId)
      : null;
    const resolved = await this.find(ctx, issuer, person, nationalIdBidx);
    if (assured) await this.verify(ctx, resolved.account, person, nationalIdBidx);
    return resolved;
  }

  private async find(
    ctx: RequestContext,
    issuer: string,
    person: ExternalPerson,
    nationalIdBidx: string | null,
  ): Promise<ResolvedAccount> {
    const identities = this.db.repo(ExternalIdentity);
    const known = await identities.findOne({ where: { issuer, subject: person.subject } });
    const knownAccount = known
      ? await this.db.repo(Account).findOne({ where: { id: known.accountId } })
      : null;
    if (known && knownAccount) {
      assertUsable(knownAccount);
      await identities.update({ id: known.id }, { lastLoginAt: new Date() });
      // Accounts the eID made before the display mask was stored get it now (no decryption needed).
      if (
        !knownAccount.nationalIdMasked &&
        person.nationalId &&
        knownAccount.nationalIdBidx === nationalIdBidx
      ) {
        knownAccount.nationalIdMasked = maskNationalId(person.nationalId);
        await this.db
          .repo(Account)
          .update({ id: knownAccount.id }, { nationalIdMasked: knownAccount.nationalIdMasked });
      }
      return { account: knownAccount, linked: 'existing' };
    }
    // A link whose account is gone is stale: drop it and treat the person as new here.
    if (known) await identities.delete({ id: known.id });

    const lookup = (where: { nationalIdBidx: string } | { phone: string } | { email: string }) =>
      this.db.repo(Account).findOne({ where });
    const holders = {
      nationalId: nationalIdBidx ? await lookup({ nationalIdBidx }) : null,
      phone: person.verifiedPhone ? await lookup({ phone: person.verifiedPhone }) : null,
      email: person.verifiedEmail ? await lookup({ email: person.verifiedEmail }) : null,
    };
    for (const holder of [holders.nationalId, holders.phone, holders.email]) {
      if (holder && (await this.linkable(holder, issuer, nationalIdBidx))) {
        assertUsable(holder);
        await this.link(ctx, holder, issuer, person, holders.nationalId ? null : nationalIdBidx);
        return { account: holder, linked: 'existing' };
      }
    }
    return { account: await this.create(ctx, issuer, person, holders, nationalIdBidx), linked: 'created' };
  }

  /**
   * Only a citizen account may be reached through a citizen eID (never staff or business: that
   * would skip their own factors), only one not yet linked to another subject of this provider,
   * and not one that records a different national ID (a recycled phone number, a shared mailbox).
   */
  private async linkable(account: Account, issuer: string, nationalIdBidx: string | null): Promise<boolean> {
    if (account.kind !== AccountKind.Citizen) return false;
    if (nationalIdBidx && account.nationalIdBidx && account.nationalIdBidx !== nationalIdBidx) return false;
    return !(await this.db.repo(ExternalIdentity).exists({ where: { issuer, accountId: account.id } }));
  }

  /**
   * Links and completes the account with what the eID vouches for and it lacks. A still-pending
   * account is activated, and the password of that unverified registration dropped: whoever
   * registered the number without proving it must not be able to sign in to the now real account.
   */
  private async link(
    ctx: RequestContext,
    account: Account,
    issuer: string,
    person: ExternalPerson,
    freeNationalIdBidx: string | null,
  ): Promise<void> {
    await this.saveIdentity(issuer, person.subject, account.id);
    const changes: Partial<Account> = {};
    if (!account.nationalIdBidx && freeNationalIdBidx && person.nationalId)
      Object.assign(changes, this.nationalIdColumns(person.nationalId, freeNationalIdBidx));
    if (!account.realName && person.name) changes.realName = person.name;
    if (account.status === AccountStatus.Pending)
      Object.assign(changes, {
        status: AccountStatus.Active,
        passwordHash: null,
        tokensValidAfter: new Date(),
      });
    if (Object.keys(changes).length) {
      await this.db.repo(Account).update({ id: account.id }, changes);
      Object.assign(account, changes);
    }
    await this.audit?.append(ctx, {
      action: 'account.oidc.link',
      resourceType: 'account',
      resourceId: account.id,
      subjectId: account.id,
    });
  }

  /** A new active citizen account; identifiers another account already holds are left off it. */
  private async create(
    ctx: RequestContext,
    issuer: string,
    person: ExternalPerson,
    holders: Record<'nationalId' | 'phone' | 'email', Account | null>,
    nationalIdBidx: string | null,
  ): Promise<Account> {
    const repo = this.db.repo(Account);
    const account = repo.create({
      kind: AccountKind.Citizen,
      status: AccountStatus.Active,
      phone: holders.phone ? null : person.verifiedPhone,
      email: holders.email ? null : person.verifiedEmail,
      username: null,
      passwordHash: null,
      displayName: null,
      realName: person.name,
      ...(person.nationalId && nationalIdBidx && !holders.nationalId
        ? this.nationalIdColumns(person.nationalId, nationalIdBidx)
        : { nationalIdEnc: null, nationalIdBidx: null, nationalIdLast4: null, nationalIdMasked: null }),
      unifiedSocialCreditCode: null,
    });
    await repo.save(account);
    await this.saveIdentity(issuer, person.subject, account.id);
    await this.audit?.append(ctx, {
      action: 'account.oidc.create',
      resourceType: 'account',
      resourceId: account.id,
      subjectId: account.id,
    });
    return account;
  }

  /**
   * A sign-in at the required assurance level that carried a name and a valid national ID makes
   * them the account's verified identity: the provider's word overrides what the person typed. An
   * ID number another account holds is not taken from it (one ID, one account): then nothing is
   * verified, as the account does not hold the ID the provider vouched for.
   */
  private async verify(
    ctx: RequestContext,
    account: Account,
    person: ExternalPerson,
    nationalIdBidx: string | null,
  ): Promise<void> {
    if (!person.name || !person.nationalId || !nationalIdBidx) return;
    if (account.nationalIdBidx !== nationalIdBidx) {
      const holder = await this.db.repo(Account).findOne({ where: { nationalIdBidx } });
      if (holder && holder.id !== account.id) return;
    }
    const unchanged =
      account.identityAssurance === IdentityAssurance.RealName &&
      account.identityVerifiedBy === IdentityVerifiedBy.NationalEid &&
      account.realName === person.name &&
      account.nationalIdBidx === nationalIdBidx &&
      account.nationalIdMasked !== null;
    const changes: Partial<Account> = {
      realName: person.name,
      identityAssurance: IdentityAssurance.RealName,
      identityVerifiedBy: IdentityVerifiedBy.NationalEid,
      identityVerifiedAt: new Date(),
      ...(account.nationalIdBidx === nationalIdBidx && account.nationalIdMasked
        ? {}
        : this.nationalIdColumns(person.nationalId, nationalIdBidx)),
    };
    await this.db.repo(Account).update({ id: account.id }, changes);
    Object.assign(account, changes);
    // Every sign-in refreshes identityVerifiedAt; the log records only what changed the identity.
    if (unchanged) return;
    await this.audit?.append(ctx, {
      action: 'account.identity.verify',
      resourceType: 'account',
      resourceId: account.id,
      subjectId: account.id,
    });
  }

  private nationalIdColumns(nationalId: string, bidx: string): NationalIdColumns {
    return {
      nationalIdEnc: this.personalData.encrypt(PersonalField.NationalId, nationalId),
      nationalIdBidx: bidx,
      nationalIdLast4: nationalId.slice(-4),
      nationalIdMasked: maskNationalId(nationalId),
    };
  }

  private async saveIdentity(issuer: string, subject: string, accountId: string): Promise<void> {
    const repo = this.db.repo(ExternalIdentity);
    await repo.save(repo.create({ issuer, subject, accountId, lastLoginAt: new Date() }));
  }
}

export function assertUsable(account: Account): void {
  if (account.status === AccountStatus.Disabled) throw new DomainError(ErrorCode.AccountDisabled);
}
