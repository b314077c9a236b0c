import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Permission } from '../../../../api/auth/permission';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { AuditService } from '../../audit/audit.service';
import { Account, AccountKind } from '../account.entity';
import { maskedNationalId } from '../me/me.service';
import { maskEmail, maskName, maskPhone } from '../personal-data/masking';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
import { mayReadCitizen } from './citizen-scope';
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
    private readonly audit: AuditService,
  ) {}

  async read(ctx: RequestContext, id: string, opts: ReadOptions = {}): Promise<AccountProfileDto> {
    const unmask = opts.unmask ?? [];
    // Checked before anything is looked up, so a caller without the permission learns nothing.
    if (unmask.length && !ctx.has(Permission.PersonalDataUnmask)) throw new DomainError(ErrorCode.Forbidden);
    const account = await this.visible(ctx, id, unmask.length > 0);
    const reason = opts.reason ?? null;
    return this.db.transaction(async () => {
      await this.audit.append(ctx, {
        action: 'account.read',
        resourceType: 'account',
        resourceId: account.id,
        subjectId: account.id,
        purpose: reason,
      });
      for (const field of unmask)
        await this.audit.append(ctx, {
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
    if (!found || !(await mayReadCitizen(this.db, ctx, Permission.AccountRead, found.id)))
      throw notFound('account');
    return this.db.transaction(async () => {
      await this.audit.append(ctx, {
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
  private async visible(ctx: RequestContext, id: string, withSecret: boolean): Promise<Account> {
    const qb = this.db
      .repo(Account)
      .createQueryBuilder('a')
      .where('a.id = :id', { id })
      .andWhere('a.kind IN (:...kinds)', { kinds: PUBLIC_KINDS });
    if (withSecret) qb.addSelect('a.nationalIdEnc');
    const account = await qb.getOne();
    const inScope =
      account !== null &&
      (await mayReadCitizen(this.db, ctx, Permission.AccountRead, account.id)) &&
      (!withSecret || (await mayReadCitizen(this.db, ctx, Permission.PersonalDataUnmask, account.id)));
    if (!inScope) throw notFound('account');
    return account;
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
