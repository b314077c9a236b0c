import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../../database/base.entity';
import type { WorkflowSpec } from './workflow-spec';

export enum WorkflowDefinitionState {
  Draft = 'draft',
  /** the version new cases of the service start on; at most one per service */
  Active = 'active',
  /** replaced by a newer active version; running cases stay on it */
  Retired = 'retired',
}

/** One version of a service's workflow. The spec is immutable once activated. */
@Entity('workflow_definition')
@Index(['serviceId', 'number'], { unique: true })
export class WorkflowDefinition extends BaseEntity {
  @Index()
  @Column({ type: 'uuid' })
  serviceId: string;

  /** the service's implementing unit, copied for scope checks in SQL */
  @Index()
  @Column({ type: 'uuid' })
  organisationId: string;

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

  @Column({ type: 'uuid', nullable: true })
  createdBy: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  activatedAt: Date | null;
}
