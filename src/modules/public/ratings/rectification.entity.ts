import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../../database/base.entity';
import { References } from '../../../database/references';
import { Account } from '../../platform/identity/account.entity';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { Service } from '../catalog/service.entity';
import { Rating } from './rating.entity';

/**
 * 差评整改: what a unit does about a bad real-name rating, worked as a `rectification` case on the
 * workflow engine (verify and call back → rectify or explain → answer the rater). The row mirrors
 * the case for the public list (anonymised: no rater, no comment) and holds the rater's judgement
 * of the result.
 */
@Entity('rectification')
@Index('rectification_rating_uq', ['ratingId'], { unique: true })
@Index('rectification_unit_idx', ['organisationId', 'id'])
@Index('rectification_rater_idx', ['raterAccountId'])
export class Rectification extends BaseEntity {
  @Column({ type: 'uuid' })
  ratingId: string;
  /** FK, ON DELETE RESTRICT: a rectification is a public record of its own. For the constraint only. */
  @References(() => Rating, 'RESTRICT', 'rating_id')
  readonly rating?: never;

  /** e.g. ZG-20261208-7KQ2M9XA (also the case number) */
  @Column({ length: 40 })
  number: string;

  /** the responsible unit (谁办理、谁负责): the case's handling unit */
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

  @Column({ type: 'uuid', nullable: true })
  raterAccountId: string | null;
  /** FK, ON DELETE SET NULL: the public record stays. For the constraint only. */
  @References(() => Account, 'SET NULL', 'rater_account_id')
  readonly raterAccount?: never;

  /** the rated item's kind and the rating's score (public: which kind of item, how bad) */
  @Column({ length: 32 })
  kind: string;

  @Column({ type: 'smallint' })
  score: number;

  /** open or answered */
  @Column({ length: 12 })
  status: string;

  /** the case's stage, kept in step by the case type's transition hook */
  @Column({ length: 64 })
  stage: string;

  /** rectified or explained, once the unit has chosen */
  @Column({ type: 'varchar', length: 16, nullable: true })
  outcome: string | null;

  /** the answer given to the rater (答复): public, so checked free of ID numbers and contacts */
  @Column({ type: 'text', nullable: true })
  publicAnswer: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  /** satisfied, basically_satisfied or dissatisfied: the rater's judgement of the result */
  @Column({ type: 'varchar', length: 24, nullable: true })
  raterSatisfaction: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  raterRatedAt: Date | null;
}
