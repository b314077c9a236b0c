import { Injectable } from '@nestjs/common';
import { In } from 'typeorm';
import { Db } from '../../../database/db';
import { Account, AccountKind } from './account.entity';

/** What an applicant's identity checks read of the account (the ID number still sealed). */
export type AccountIdentity = Pick<Account, 'id' | 'identityAssurance' | 'realName' | 'nationalIdEnc'>;

/**
 * The account facts other modules need (a colleague's display name on a note or a notice, whether
 * a caller is a business, an applicant's identity assurance), so the account table's SQL stays in
 * the identity module. No access check here: the calling module has decided what it may show.
 */
@Injectable()
export class AccountDirectory {
  constructor(private readonly db: Db) {}

  /** Display names by account id (absent ids are simply missing from the map). */
  async displayNames(ids: Iterable<string>): Promise<Map<string, string | null>> {
    const unique = [...new Set(ids)];
    if (!unique.length) return new Map();
    const rows = await this.db
      .repo(Account)
      .find({ where: { id: In(unique) }, select: { id: true, displayName: true } });
    return new Map(rows.map((a) => [a.id, a.displayName]));
  }

  async kindOf(id: string): Promise<AccountKind | null> {
    return (await this.standing(id))?.kind ?? null;
  }

  /** The account's kind and status (e.g. whether a licence may name it as holder), or null. */
  standing(id: string): Promise<Pick<Account, 'id' | 'kind' | 'status'> | null> {
    return this.db.repo(Account).findOne({ where: { id }, select: { id: true, kind: true, status: true } });
  }

  /** Assurance level, and with `withValues` the verified name and sealed ID number. */
  async identity(id: string, withValues: boolean): Promise<AccountIdentity | null> {
    const qb = this.db
      .repo(Account)
      .createQueryBuilder('a')
      .select(['a.id', 'a.identityAssurance'])
      .where('a.id = :id', { id });
    if (withValues) qb.addSelect(['a.realName', 'a.nationalIdEnc']);
    return qb.getOne();
  }
}
