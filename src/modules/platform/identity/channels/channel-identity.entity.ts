import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../../database/references';
import { Account } from '../account.entity';
import { BaseEntity } from '../../../../database/base.entity';

/**
 * A mini-program identity (the openid a platform gives one user in one app) linked to one account.
 * The openid is personal data: stored encrypted (FieldCipher) and as a keyed blind index for the
 * login lookup and uniqueness, shown only masked. One openid per app belongs to one account, and an
 * account links at most one openid per app.
 */
@Entity('channel_identity')
@Index(['channel', 'appId', 'openidBidx'], { unique: true })
@Index(['accountId', 'channel', 'appId'], { unique: true })
export class ChannelIdentity extends BaseEntity {
  /** wechat-mp, alipay-mp */
  @Column({ type: 'varchar', length: 16 })
  channel: string;

  /** the mini-program's app id at its platform */
  @Column({ type: 'varchar', length: 64 })
  appId: string;

  /** keyed hash of channel, app id and openid (PersonalField.ChannelOpenid) */
  @Column({ type: 'varchar', length: 64 })
  openidBidx: string;

  /** AES-256-GCM envelope of the openid */
  @Column({ type: 'varchar', length: 300, select: false })
  openidEnc: string;

  /** display mask, e.g. oGZ*********************VJJE, so listing never decrypts */
  @Column({ type: 'varchar', length: 128 })
  openidMasked: string;

  @Column({ type: 'uuid' })
  accountId: string;
  /**
   * FK, ON DELETE CASCADE: a channel binding is the account's own. For the constraint only: code reads and
   * writes accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;
}
