import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../../database/base.entity';
import { References } from '../../../database/references';
import { Account } from '../../platform/identity/account.entity';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { Service } from '../catalog/service.entity';

/**
 * One rating (好差评) of one handled item. The unique index on (kind, item_id) is the "one rating
 * per item" rule: every item has one rater (RatedItem.raterAccountId, or the holder of a hall
 * rating code), so it is also "one per item per rater", and the silence rule's default rating and
 * the rater's own race on the same index.
 */
@Entity('rating')
@Index('rating_item_uq', ['kind', 'itemId'], { unique: true })
@Index('rating_unit_idx', ['organisationId', 'score'])
@Index('rating_service_idx', ['serviceId', 'score'])
@Index('rating_rater_idx', ['raterAccountId', 'id'])
export class Rating extends BaseEntity {
  /** the registered target kind: application, hall_visit, consultation, … (a registry key, no FK) */
  @Column({ length: 32 })
  kind: string;

  /** the item's id in its kind (polymorphic: no FK, by design) */
  @Column({ length: 64 })
  itemId: string;

  /** the rater's account; null for a hall visitor who rated without signing in (not real-name) */
  @Column({ type: 'uuid', nullable: true })
  raterAccountId: string | null;
  /** FK, ON DELETE SET NULL: the rating stays in the figures when the account goes. For the constraint only. */
  @References(() => Account, 'SET NULL', 'rater_account_id')
  readonly raterAccount?: never;

  @Column({ type: 'uuid' })
  organisationId: string;
  /** FK, ON DELETE RESTRICT: a rated unit is a record of its own. For the constraint only. */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  @Column({ type: 'uuid', nullable: true })
  serviceId: string | null;
  /** FK, ON DELETE RESTRICT: services are retired, not deleted. For the constraint only. */
  @References(() => Service, 'RESTRICT', 'service_id')
  readonly service?: never;

  /** the staff member who handled the item (staff figures by person) */
  @Column({ type: 'uuid', nullable: true })
  handlerAccountId: string | null;
  /** FK, ON DELETE SET NULL: the rating outlives the staff account. For the constraint only. */
  @References(() => Account, 'SET NULL', 'handler_account_id')
  readonly handlerAccount?: never;

  /** 5 非常满意 … 1 非常不满意 */
  @Column({ type: 'smallint' })
  score: number;

  /** portal, app, mini_program, hall, sms, hotline; system for the silence rule's */
  @Column({ length: 16 })
  channel: string;

  /** rater, or default (the silence rule) */
  @Column({ length: 8 })
  source: string;

  /** the rater's words, sealed (AES-256-GCM under FIELD_KEYS): they may hold personal data */
  @Column({ type: 'text', nullable: true })
  comment: string | null;

  /** the item's title when rated, in both languages (the rater's list shows it) */
  @Column({ length: 200 })
  titleZh: string;

  @Column({ length: 200 })
  titleEn: string;

  @Column({ type: 'timestamptz' })
  handledAt: Date;

  @Column({ type: 'timestamptz' })
  ratedAt: Date;

  /** left out of every figure: a supervisor upheld the unit's appeal (恶意/误评), reason kept */
  @Column({ default: false })
  excluded: boolean;

  @Column({ type: 'text', nullable: true })
  exclusionReason: string | null;
}

/** 评价码: a hall window's rating code for one visit, printed or shown as a QR code; one rating each. */
@Entity('rating_code')
@Index('rating_code_code_uq', ['code'], { unique: true })
export class RatingCode extends BaseEntity {
  /** 16 Crockford base32 characters (80 random bits): the QR payload's last path segment */
  @Column({ length: 16 })
  code: string;

  @Column({ type: 'uuid' })
  organisationId: string;
  /** FK, ON DELETE RESTRICT. For the constraint only. */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  @Column({ type: 'uuid', nullable: true })
  serviceId: string | null;
  /** FK, ON DELETE RESTRICT. For the constraint only. */
  @References(() => Service, 'RESTRICT', 'service_id')
  readonly service?: never;

  /** the window's staff member who served the visit (and issued the code) */
  @Column({ type: 'uuid', nullable: true })
  staffAccountId: string | null;
  /** FK, ON DELETE SET NULL. For the constraint only. */
  @References(() => Account, 'SET NULL', 'staff_account_id')
  readonly staffAccount?: never;

  /** no rating with the code after this instant (issue + the rating period) */
  @Column({ type: 'timestamptz' })
  expiresAt: Date;
}

/** A unit's appeal (申诉) against a rating as malicious or mistaken; a supervisor decides it. */
@Entity('rating_appeal')
@Index('rating_appeal_rating_uq', ['ratingId'], { unique: true })
@Index('rating_appeal_unit_idx', ['organisationId', 'status', 'id'])
export class RatingAppeal extends BaseEntity {
  @Column({ type: 'uuid' })
  ratingId: string;
  /** FK, ON DELETE CASCADE: an appeal belongs to its rating. For the constraint only. */
  @References(() => Rating, 'CASCADE', 'rating_id')
  readonly rating?: never;

  /** the rated unit (scope of the supervisors who decide) */
  @Column({ type: 'uuid' })
  organisationId: string;
  /** FK, ON DELETE RESTRICT. For the constraint only. */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  /** malicious or mistaken */
  @Column({ length: 16 })
  ground: string;

  @Column({ type: 'text' })
  reason: string;

  /** pending, upheld or rejected */
  @Column({ length: 12 })
  status: string;

  /** the staff member who appealed (an actor id: no FK, like every actor column) */
  @Column({ type: 'uuid' })
  filedBy: string;

  @Column({ type: 'uuid', nullable: true })
  decidedBy: string | null;

  @Column({ type: 'text', nullable: true })
  decisionReason: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  decidedAt: Date | null;
}
