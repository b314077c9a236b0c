import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Permission } from '../../../../api/auth/permission';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { AccessService } from '../../access/access.service';
import type { AccessDecision } from '../../access/access.types';
import { Account, AccountKind } from '../account.entity';
import { maskedNationalId } from '../me/me.service';
import { maskEmail, maskName, maskPhone } from '../personal-data/masking';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
import { AccountLookupDto, AccountProfileDto, UnmaskField } from './dto/accounts.dto';

/** Accounts of the public; staff accounts are read through /v1/staff. */
const PUBLIC_KINDS = [AccountKind.Citizen, AccountKind.Business];

/** Audit resource types per unmasked field (the leaf says which field was shown in clear). */
const UNMASK_RESOURCE: Record<UnmaskField, string> = {
  [UnmaskField.nationalId]: 'account.national_id',
  [UnmaskField.realName]: 'account.real_name',
  [UnmaskField.phone]: 'account.phone',
  [UnmaskField.email]: 'account.email',
};

export interface ReadOptions {
  unmask?: UnmaskField[] | null;
  reason?: string | null;
}

/**
 * Staff (and agency systems) reading a citizen's or business's account (P5, PIPL Art. 6/51):
 * masked by default; a field in clear only with personal-data:unmask and a stated reason. Every
 * read, masked or not, lands in the audit log with the citizen as subject, in the same transaction
 * as the read, so the citizen sees it in GET /v1/me/data-access. A refused read writes nothing.
 */
@Injectable()
export class AccountsService {
  constructor(
    private readonly db: Db,
    private readonly personalData: PersonalDataService,
    private readonly access: AccessService,
  ) {}

  async read(ctx: RequestContext, id: string, opts: ReadOptions = {}): Promise<AccountProfileDto> {
    const unmask = opts.unmask ?? [];
    // Checked before anything is looked up, so a caller without the permission learns nothing.
    if (unmask.length && !ctx.has(Permission.PersonalDataUnmask)) throw new DomainError(ErrorCode.Forbidden);
    const { account, seen, clear } = await this.visible(ctx, id, unmask.length > 0);
    const reason = opts.reason ?? null;
    // Each leaf carries the access decision's reason (the grant the caller read under).
    return this.db.transaction(async () => {
      await this.access.record(ctx, seen, {
        action: 'account.read',
        resourceType: 'account',
        resourceId: account.id,
        subjectId: account.id,
        purpose: reason,
      });
      for (const field of unmask)
        await this.access.record(ctx, clear ?? seen, {
          action: 'account.unmask',
          resourceType: UNMASK_RESOURCE[field],
          resourceId: account.id,
          subjectId: account.id,
          purpose: reason,
        });
      return this.toProfile(account, unmask);
    });
  }

  /** By national ID number, through its blind index; found or not, the number is never logged. */
  async lookup(ctx: RequestContext, dto: AccountLookupDto): Promise<AccountProfileDto> {
    const bidx = this.personalData.blindIndex(PersonalField.NationalId, dto.nationalId);
    const found = await this.db
      .repo(Account)
      .findOne({ where: { nationalIdBidx: bidx, kind: In(PUBLIC_KINDS) } });
    const seen = await this.access.check(ctx, 'account', found, 'read');
    if (!found || !seen.allowed) throw notFound('account');
    return this.db.transaction(async () => {
      await this.access.record(ctx, seen, {
        action: 'account.lookup',
        resourceType: 'account',
        resourceId: found.id,
        subjectId: found.id,
        purpose: dto.reason,
      });
      return this.toProfile(found, []);
    });
  }

  /** The account if it exists, is a citizen's or business's, and is within the caller's scope; else 404. */
  private async visible(
    ctx: RequestContext,
    id: string,
    withSecret: boolean,
  ): Promise<{ account: Account; seen: AccessDecision; clear: AccessDecision | null }> {
    const qb = this.db
      .repo(Account)
      .createQueryBuilder('a')
      .where('a.id = :id', { id })
      .andWhere('a.kind IN (:...kinds)', { kinds: PUBLIC_KINDS });
    if (withSecret) qb.addSelect('a.nationalIdEnc');
    const account = await qb.getOne();
    const seen = await this.access.check(ctx, 'account', account, 'read');
    const clear =
      seen.allowed && withSecret ? await this.access.check(ctx, 'account', account, 'unmask') : null;
    if (!account || !seen.allowed || (clear && !clear.allowed)) throw notFound('account');
    return { account, seen, clear };
  }

  private toProfile(a: Account, unmask: UnmaskField[]): AccountProfileDto {
    const clear = new Set(unmask);
    const nationalId =
      clear.has(UnmaskField.nationalId) && a.nationalIdEnc
        ? this.personalData.decrypt(PersonalField.NationalId, a.nationalIdEnc)
        : maskedNationalId(a);
    return {
      id: a.id,
      kind: a.kind,
      status: a.status,
      displayName: a.displayName,
      realName: a.realName && !clear.has(UnmaskField.realName) ? maskName(a.realName) : a.realName,
      nationalId,
      phone: a.phone && !clear.has(UnmaskField.phone) ? maskPhone(a.phone) : a.phone,
      email: a.email && !clear.has(UnmaskField.email) ? maskEmail(a.email) : a.email,
      unifiedSocialCreditCode: a.unifiedSocialCreditCode,
      unmasked: [...clear],
      createdAt: a.createdAt.toISOString(),
      version: a.version,
    };
  }
}
