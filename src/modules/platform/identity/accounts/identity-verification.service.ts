import { Injectable } from '@nestjs/common';
import { Not } from 'typeorm';
import type { RequestContext } from '../../../../api/context/request-context';
import { DomainError, notFound } from '../../../../api/errors/domain-error';
import { ErrorCode } from '../../../../api/errors/error-code';
import { Db } from '../../../../database/db';
import { AuditService } from '../../audit/audit.service';
import { Account, AccountKind, AccountStatus } from '../account.entity';
import { IdentityAssurance, IdentityVerifiedBy } from '../identity-assurance';
import { maskNationalId } from '../personal-data/masking';
import { PersonalDataService, PersonalField } from '../personal-data/personal-data.service';
import { IdentityVerificationDto, IdentityVerificationResultDto } from './dto/identity-verification.dto';

/**
 * Identity verification at a service counter (issue 11 §2): a clerk (case:handle, which every
 * counter role holds) has seen the person's identity card and records its name and number on the
 * person's account, which becomes `real_name`, vouched for by `counter`. The card's word overrides
 * what the person typed; an ID number on file for another account stays refused (409). Audited
 * with the person as subject, so it shows in their GET /v1/me/data-access.
 */
@Injectable()
export class IdentityVerificationService {
  constructor(
    private readonly db: Db,
    private readonly personalData: PersonalDataService,
    private readonly audit: AuditService,
  ) {}

  async verify(
    ctx: RequestContext,
    accountId: string,
    dto: IdentityVerificationDto,
  ): Promise<IdentityVerificationResultDto> {
    // GraphQL ids arrive unchecked: anything but a UUID is simply not found.
    if (!UUID.test(accountId)) throw notFound('account');
    return this.db.transaction(async () => {
      const account = await this.db
        .repo(Account)
        .findOne({ where: { id: accountId }, lock: { mode: 'pessimistic_write' } });
      // Only an active citizen is verified by card; anything else reads as "no such person".
      if (!account || account.kind !== AccountKind.Citizen || account.status !== AccountStatus.Active)
        throw notFound('account');
      const bidx = this.personalData.blindIndex(PersonalField.NationalId, dto.nationalId);
      if (await this.db.repo(Account).exists({ where: { nationalIdBidx: bidx, id: Not(account.id) } }))
        throw new DomainError(ErrorCode.Conflict, {
          reason:
            ctx.language === 'en'
              ? 'this national ID number belongs to another account'
              : '该身份证号码已被其他账号使用',
        });
      const verifiedAt = new Date();
      await this.db.repo(Account).update(account.id, {
        realName: dto.realName,
        nationalIdEnc: this.personalData.encrypt(PersonalField.NationalId, dto.nationalId),
        nationalIdBidx: bidx,
        nationalIdLast4: dto.nationalId.slice(-4),
        nationalIdMasked: maskNationalId(dto.nationalId),
        identityAssurance: IdentityAssurance.RealName,
        identityVerifiedBy: IdentityVerifiedBy.Counter,
        identityVerifiedAt: verifiedAt,
      });
      await this.audit.append(ctx, {
        action: 'account.identity.verify',
        resourceType: 'account',
        resourceId: account.id,
        subjectId: account.id,
      });
      return {
        accountId: account.id,
        identityAssurance: IdentityAssurance.RealName,
        identityVerifiedBy: IdentityVerifiedBy.Counter,
        identityVerifiedAt: verifiedAt.toISOString(),
      };
    });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
