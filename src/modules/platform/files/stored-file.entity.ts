import { Column, Entity, Index } from 'typeorm';
import { BaseEntity } from '../../../database/base.entity';

export enum FilePurpose {
  /** a document for an application (or another subject): private to its uploader until attached */
  Attachment = 'attachment',
  /** a blank or sample form for a service guide, published to everyone by catalog staff */
  Template = 'template',
}

/**
 * An uploaded file's metadata; the bytes live in the storage driver under `storageKey` (random,
 * never derived from the name). Unattached attachments are purged after FILES_UNATTACHED_TTL_HOURS.
 */
@Entity('stored_file')
@Index(['uploaderId', 'createdAt'])
@Index(['subjectType', 'subjectId'])
@Index('stored_file_unattached', ['createdAt'], { where: `subject_id IS NULL AND purpose = 'attachment'` })
export class StoredFile extends BaseEntity {
  /** sanitised file name (may be personal data: kept out of audit leaves and logs) */
  @Column({ length: 200 })
  name: string;

  /** the type the content was recognised as (never merely the declared one) */
  @Column({ length: 50 })
  contentType: string;

  @Column({ type: 'integer' })
  size: number;

  /** hex sha256 of the bytes, computed while they streamed in */
  @Column({ type: 'char', length: 64 })
  sha256: string;

  @Column({ length: 10 })
  storageDriver: string;

  @Index({ unique: true })
  @Column({ length: 100 })
  storageKey: string;

  @Column({
    type: 'enum',
    enum: FilePurpose,
    enumName: 'stored_file_purpose',
    default: FilePurpose.Attachment,
  })
  purpose: FilePurpose;

  /** a published template: its content is readable by anyone */
  @Column({ default: false })
  public: boolean;

  @Column({ length: 20 })
  uploaderKind: string;

  /** No foreign key: polymorphic (uploader_kind: an account, an OAuth client or an API key). */
  @Column({ type: 'uuid' })
  uploaderId: string;

  /** what the file is attached to, e.g. 'application'; null while unattached */
  @Column({ type: 'varchar', length: 40, nullable: true })
  subjectType: string | null;

  /** No foreign key: polymorphic (subject_type names the table). */
  @Column({ type: 'uuid', nullable: true })
  subjectId: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  attachedAt: Date | null;
}
