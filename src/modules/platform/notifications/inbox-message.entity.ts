import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../database/references';
import { Account } from '../identity/account.entity';
import { BaseEntity } from '../../../database/base.entity';

/**
 * A message in a citizen's in-app inbox, rendered once in the account's language when it was
 * sent, so the inbox reads the same later even if the template text changes.
 */
@Entity('inbox_message')
@Index(['accountId', 'id'])
export class InboxMessage extends BaseEntity {
  @Column({ type: 'uuid' })
  accountId: string;
  /**
   * FK, ON DELETE CASCADE: the account's own messages. For the constraint only: code reads and writes
   * accountId.
   */
  @References(() => Account, 'CASCADE', 'account_id')
  readonly account?: never;

  @Column({ type: 'varchar', length: 64 })
  template: string;

  @Column({ type: 'varchar', length: 200 })
  title: string;

  @Column({ type: 'text' })
  body: string;

  /** where the frontend should take the reader, e.g. `/applications/<id>` (a path, never a full URL) */
  @Column({ type: 'varchar', length: 500, nullable: true })
  link: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  readAt: Date | null;
}
