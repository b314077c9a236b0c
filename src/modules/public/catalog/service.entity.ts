import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../../database/base.entity';
import { IdentityAssurance } from '../../platform/identity/identity-assurance';
import type { ServiceContentDto as ServiceContent } from './dto/catalog.dto';

/** taskType of the national catalogue: 1 行政许可, 5 行政给付, 10 其他行政权力, 20 公共服务. */
export enum ServiceType {
  AdministrativeLicence = 'administrative_licence',
  PublicService = 'public_service',
  AdministrativePayment = 'administrative_payment',
  OtherPower = 'other_power',
}

/** 服务对象: natural persons, legal persons (businesses), or both. */
export enum ServiceTarget {
  Person = 'person',
  Business = 'business',
  Both = 'both',
}

export enum ServiceStatus {
  Draft = 'draft',
  InReview = 'in_review',
  Published = 'published',
  Retired = 'retired',
}

export enum ServiceVersionState {
  Draft = 'draft',
  InReview = 'in_review',
  Published = 'published',
  /** a published version replaced by a newer one: kept, never shown to the public again */
  Superseded = 'superseded',
}

/**
 * A catalogue item (办事事项) an agency implements. The guide itself lives in versions; the columns
 * below the line are copied from the published version on publish so public lists filter in SQL.
 */
@Entity('service')
export class Service extends BaseEntity {
  /** 实施主体: the implementing unit */
  @Index()
  @Column({ type: 'uuid' })
  organisationId: string;

  /** the unit's region, copied at creation, for "services in this region and below" */
  @Index()
  @Column({ length: 12 })
  regionCode: string;

  /** 实施编码 */
  @Index({ unique: true })
  @Column({ length: 64 })
  implementationCode: string;

  @Column({ type: 'enum', enum: ServiceType, enumName: 'service_type' })
  type: ServiceType;

  @Column({ type: 'enum', enum: ServiceTarget, enumName: 'service_target' })
  target: ServiceTarget;

  @Index()
  @Column({ type: 'enum', enum: ServiceStatus, enumName: 'service_status', default: ServiceStatus.Draft })
  status: ServiceStatus;

  @Column({ type: 'uuid', nullable: true })
  currentPublishedVersionId: string | null;

  /** the version being written or reviewed, if any */
  @Column({ type: 'uuid', nullable: true })
  draftVersionId: string | null;

  // ---- copied from the published version ----

  @Column({ type: 'varchar', length: 200, nullable: true })
  titleZh: string | null;

  @Column({ type: 'varchar', length: 300, nullable: true })
  titleEn: string | null;

  @Column({ type: 'jsonb', default: [] })
  lifeEvents: string[];

  @Column({ type: 'jsonb', default: [] })
  topics: string[];

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  /**
   * the identity assurance an applicant needs to submit (identity-assurance.ts), from the published
   * version's `requiredAssurance`
   */
  @Column({
    type: 'enum',
    enum: IdentityAssurance,
    enumName: 'identity_assurance',
    default: IdentityAssurance.None,
  })
  requiredAssurance: IdentityAssurance;

  /** search terms of the title (both languages), see search-terms.ts; weighted above the rest */
  @Column({ type: 'text', default: '' })
  titleTerms: string;

  /** search terms of the guide text, materials, life events, topics and code */
  @Column({ type: 'text', default: '' })
  searchTerms: string;
}

/** One version of a service's guide and form. Immutable once published (the service enforces it). */
@Entity('service_version')
@Index(['serviceId', 'number'], { unique: true })
export class ServiceVersion extends BaseEntity {
  @Column({ type: 'uuid' })
  serviceId: string;

  @Column({ type: 'int' })
  number: number;

  @Column({
    type: 'enum',
    enum: ServiceVersionState,
    enumName: 'service_version_state',
    default: ServiceVersionState.Draft,
  })
  state: ServiceVersionState;

  /** guide, translations, elder variant and form schema, as validated by ServiceContentDto */
  @Column({ type: 'jsonb' })
  content: ServiceContent;

  @Column({ type: 'timestamptz', nullable: true })
  publishedAt: Date | null;

  @Column({ type: 'uuid', nullable: true })
  publishedBy: string | null;
}
