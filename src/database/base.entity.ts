import { BeforeInsert, CreateDateColumn, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import { uuidv7 } from './uuid';

/** id (UUIDv7), timestamps and the version that strong ETags and If-Match are made from. */
export abstract class BaseEntity {
  @PrimaryColumn('uuid')
  id: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;

  @VersionColumn({ default: 1 })
  version: number;

  @BeforeInsert()
  assignId(): void {
    this.id ??= uuidv7();
  }
}
