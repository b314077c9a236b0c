import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../database/references';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { BaseEntity } from '../../../database/base.entity';
import { IdentityAssurance } from '../../platform/identity/identity-assurance';
import { ServiceStatus, ServiceTarget, ServiceType, ServiceVersionState } from './service-kinds';
import type { ServiceContentDto as ServiceContent } from './dto/catalog.dto';

export { ServiceStatus, ServiceTarget, ServiceType, ServiceVersionState } from './service-kinds';

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
  /**
   * FK, ON DELETE RESTRICT: a unit with services cannot be deleted. For the constraint only: code reads and
   * writes organisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

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
  /**
   * FK, ON DELETE SET NULL: deferred: the service row is written before its first version. For the constraint
   * only: code reads and writes currentPublishedVersionId.
   */
  @References(() => ServiceVersion, 'SET NULL', 'current_published_version_id', 'INITIALLY DEFERRED')
  readonly currentPublishedVersion?: never;

  /** the version being written or reviewed, if any */
  @Column({ type: 'uuid', nullable: true })
  draftVersionId: string | null;
  /**
   * FK, ON DELETE SET NULL: deferred: the service row is written before its first version. For the constraint
   * only: code reads and writes draftVersionId.
   */
  @References(() => ServiceVersion, 'SET NULL', 'draft_version_id', 'INITIALLY DEFERRED')
  readonly draftVersion?: never;

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
  /**
   * FK, ON DELETE CASCADE: versions are the service's own. For the constraint only: code reads and writes
   * serviceId.
   */
  @References(() => Service, 'CASCADE', 'service_id')
  readonly service?: never;

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

  /** No foreign key: the actor's id, of any kind (account, OAuth client, API key). */
  @Column({ type: 'uuid', nullable: true })
  publishedBy: string | null;
}
