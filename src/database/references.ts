import { JoinColumn, ManyToOne } from 'typeorm';
import type { OnDeleteType } from 'typeorm/metadata/types/OnDeleteType';
import type { DeferrableType } from 'typeorm/metadata/types/DeferrableType';

/**
 * A foreign key from `column` to the parent's primary key, declared on a relation property that
 * exists for the constraint only (`readonly parent?: never`): code keeps reading and writing the
 * plain id column beside it. One line per key instead of ManyToOne + JoinColumn, with the delete
 * rule always spelled out.
 */
export function References(
  parent: () => new () => object,
  onDelete: OnDeleteType,
  column: string,
  deferrable?: DeferrableType,
): PropertyDecorator {
  const relation = ManyToOne(parent, { onDelete, ...(deferrable ? { deferrable } : {}) });
  const join = JoinColumn({ name: column });
  return (target, key) => {
    join(target, key);
    relation(target, key);
  };
}
