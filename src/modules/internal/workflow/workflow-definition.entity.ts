import { Column, Entity, Index } from 'typeorm';
import { References } from '../../../database/references';
import { Organisation } from '../../platform/organisations/organisation.entity';
import { BaseEntity } from '../../../database/base.entity';
import type { WorkflowSpec } from './workflow-spec';

export enum WorkflowDefinitionState {
  Draft = 'draft',
  /** the version new cases of the subject start on; at most one per subject */
  Active = 'active',
  /** replaced by a newer active version; running cases stay on it */
  Retired = 'retired',
}

/**
 * One version of a subject's workflow (a catalogue service's, a complaint category's, …): the case
 * type a module registered and the subject's key within it. The spec is immutable once activated.
 */
@Entity('workflow_definition')
@Index(['caseType', 'subjectKey', 'number'], { unique: true })
export class WorkflowDefinition extends BaseEntity {
  /** the registered case type ('service' for the catalogue) */
  @Column({ length: 32 })
  caseType: string;

  /** the subject within the case type (for 'service': the service id) */
  @Column({ length: 64 })
  subjectKey: string;

  /**
   * The catalogue service for 'service' definitions (= subjectKey), null for other case types. Kept
   * so the catalogue's routes and answers stay as they were; no foreign key (see issue 12 §6: the
   * catalogue owns its rows and deletes).
   */
  @Index()
  @Column({ type: 'uuid', nullable: true })
  serviceId: string | null;

  /** the subject's handling unit, copied for scope checks in SQL */
  @Index()
  @Column({ type: 'uuid' })
  organisationId: string;
  /**
   * FK, ON DELETE RESTRICT: a unit owning definitions cannot be deleted. For the constraint only: code reads
   * and writes organisationId.
   */
  @References(() => Organisation, 'RESTRICT', 'organisation_id')
  readonly organisation?: never;

  @Column({ type: 'int' })
  number: number;

  @Column({
    type: 'enum',
    enum: WorkflowDefinitionState,
    enumName: 'workflow_definition_state',
    default: WorkflowDefinitionState.Draft,
  })
  state: WorkflowDefinitionState;

  @Column({ type: 'jsonb' })
  spec: WorkflowSpec;

  /** No foreign key: the actor's id, of any kind (account, OAuth client, API key). */
  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  activatedAt: Date | null;
}
