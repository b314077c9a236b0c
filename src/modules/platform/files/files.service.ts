import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { In } from 'typeorm';
import { Permission } from '../../../api/auth/permission';
import { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { FileDownload } from '../../../api/http/file-download';
import { IdempotencyService } from '../../../api/http/idempotency.service';
import type { IncomingUpload } from '../../../api/http/upload';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { Db } from '../../../database/db';
import { uuidv7 } from '../../../database/uuid';
import { AuditService } from '../audit/audit.service';
import {
  declaredMatches,
  declaredTypeAcceptable,
  normaliseDeclaredType,
  sanitiseFileName,
  sniff,
} from './content-sniffer';
import { StoredFileDto, UploadFileQueryDto } from './dto/stored-file.dto';
import { attachedError, rejectedFile, toStoredFileDto } from './file-rules';
import { FILE_STORAGE, FileStorage } from './storage/file-storage';
import { FilePurpose, StoredFile } from './stored-file.entity';
import { spool, tooLarge } from './upload-spool';

/** room for the multipart envelope (boundaries, part headers, small form fields) over the file itself */
const MULTIPART_OVERHEAD = 64 * 1024;

export interface UploadInput {
  name: string | null;
  declaredType: string;
  body: Buffer;
  purpose?: FilePurpose;
}

export interface FileSubject {
  type: string;
  id: string;
}

export interface OpenedFile {
  meta: StoredFileDto;
  stream: Readable;
}

/**
 * Uploaded files (P7): size and type checked from the content while it streams, sha256, bytes in the
 * configured storage under a random key. An attachment is private to its uploader until attached to
 * a subject (an application); from then on only the subject's module reads it (openForSubject), after
 * its own access check. Templates uploaded by catalog staff are public.
 */
@Injectable()
export class FilesService implements OnModuleDestroy {
  private readonly logger = new Logger(FilesService.name);

  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(FILE_STORAGE) private readonly storage: FileStorage,
    private readonly idempotency: IdempotencyService,
  ) {}

  onModuleDestroy(): void {
    (this.storage as { destroy?: () => void }).destroy?.();
  }

  /**
   * POST /v1/files: the upload still streaming in the request. With an Idempotency-Key the upload
   * is stored once per key and bytes: a retry with the same bytes gets the first file back, other
   * bytes under the key are 422 IDEMPOTENCY_KEY_REUSED.
   */
  async receive(
    ctx: RequestContext,
    incoming: IncomingUpload,
    query: UploadFileQueryDto,
    idempotencyKey?: string,
  ): Promise<StoredFileDto> {
    const purpose = query.purpose ?? FilePurpose.Attachment;
    this.assertMayUpload(ctx, purpose);
    const max = this.config.files.maxBytes;
    // Refused before a byte is read when the client says how much is coming.
    if (
      incoming.contentLength !== null &&
      incoming.contentLength > max + (incoming.multipart ? MULTIPART_OVERHEAD : 0)
    )
      throw tooLarge(max);
    if (!incoming.multipart && !declaredTypeAcceptable(incoming.declaredType))
      throw rejectedFile(ctx, 'type-not-allowed');
    const part = await incoming.open(max);
    if (!declaredTypeAcceptable(part.declaredType)) {
      part.stream.resume();
      throw rejectedFile(ctx, 'type-not-allowed');
    }
    return this.store(
      ctx,
      { name: query.name ?? part.name, declaredType: part.declaredType, stream: part.stream, purpose },
      idempotencyKey,
    );
  }

  /** For modules that already hold the bytes (the same checks as an HTTP upload). */
  async upload(ctx: RequestContext, input: UploadInput): Promise<StoredFileDto> {
    const purpose = input.purpose ?? FilePurpose.Attachment;
    this.assertMayUpload(ctx, purpose);
    if (input.body.length > this.config.files.maxBytes) throw tooLarge(this.config.files.maxBytes);
    if (!declaredTypeAcceptable(input.declaredType)) throw rejectedFile(ctx, 'type-not-allowed');
    return this.store(ctx, { ...input, stream: Readable.from([input.body]), purpose });
  }

  /** Metadata, for the uploader (or anyone, for a published template). */
  async get(ctx: RequestContext, id: string): Promise<StoredFileDto> {
    return toStoredFileDto(await this.readable(ctx, id));
  }

  /** The bytes with their download headers, for the uploader (or anyone, for a published template). */
  async download(ctx: RequestContext, id: string): Promise<FileDownload> {
    return this.downloadOf(await this.readable(ctx, id));
  }

  /** The uploader deletes a file of theirs while it is unattached. */
  async remove(ctx: RequestContext, id: string): Promise<void> {
    await this.db.transaction(async () => {
      const file = await this.db
        .repo(StoredFile)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!file || !this.isUploader(ctx, file)) throw notFound('file');
      if (file.subjectId) throw attachedError(ctx);
      await this.destroy(ctx, file, 'file.delete');
    });
  }

  /** Only the uploader attaches, and only an unattached attachment (404 / 409 otherwise). */
  async attach(ctx: RequestContext, fileId: string, subject: FileSubject): Promise<StoredFileDto> {
    return this.db.transaction(async () => {
      const file = await this.db
        .repo(StoredFile)
        .findOne({ where: { id: fileId }, lock: { mode: 'pessimistic_write' } });
      if (!file || !this.isUploader(ctx, file) || file.purpose !== FilePurpose.Attachment)
        throw notFound('file');
      if (file.subjectId) {
        if (file.subjectType === subject.type && file.subjectId === subject.id) return toStoredFileDto(file);
        throw attachedError(ctx);
      }
      file.subjectType = subject.type;
      file.subjectId = subject.id;
      file.attachedAt = new Date();
      await this.db.repo(StoredFile).save(file);
      await this.audit.append(ctx, {
        action: 'file.attach',
        resourceType: 'file',
        resourceId: file.id,
        subjectId: this.dataSubject(file),
      });
      return toStoredFileDto(file);
    });
  }

  /**
   * Detaches a file from its subject; it is then unattached and purged with the others. No access
   * check here: the subject's module has checked the caller may change the subject.
   */
  async detach(ctx: RequestContext, fileId: string): Promise<void> {
    await this.db.transaction(async () => {
      const file = await this.db
        .repo(StoredFile)
        .findOne({ where: { id: fileId }, lock: { mode: 'pessimistic_write' } });
      if (!file?.subjectId) throw notFound('file');
      file.subjectType = null;
      file.subjectId = null;
      file.attachedAt = null;
      await this.db.repo(StoredFile).save(file);
      await this.audit.append(ctx, {
        action: 'file.detach',
        resourceType: 'file',
        resourceId: file.id,
        subjectId: this.dataSubject(file),
      });
    });
  }

  /** The bytes of a file, for a module that has already checked access to the subject it belongs to. */
  async openForSubject(fileId: string): Promise<OpenedFile> {
    const file = await this.db.repo(StoredFile).findOne({ where: { id: fileId } });
    if (!file) throw notFound('file');
    return { meta: toStoredFileDto(file), stream: await this.bytesOf(file) };
  }

  /** openForSubject as a response body with download headers (routes marked @Download()). */
  async downloadForSubject(fileId: string): Promise<FileDownload> {
    const file = await this.db.repo(StoredFile).findOne({ where: { id: fileId } });
    if (!file) throw notFound('file');
    return this.downloadOf(file);
  }

  /** Metadata of several files in the order asked; unknown ids are left out. No access check. */
  async describe(fileIds: string[]): Promise<StoredFileDto[]> {
    if (fileIds.length === 0) return [];
    const files = await this.db.repo(StoredFile).find({ where: { id: In([...new Set(fileIds)]) } });
    const byId = new Map(files.map((f) => [f.id, f]));
    return fileIds.flatMap((id) => (byId.has(id) ? [toStoredFileDto(byId.get(id)!)] : []));
  }

  /** Which of the ids are public templates (the blank and sample forms a guide may link to). */
  async publicTemplateIds(fileIds: string[]): Promise<Set<string>> {
    if (fileIds.length === 0) return new Set();
    const files = await this.db.repo(StoredFile).find({
      select: { id: true },
      where: { id: In([...new Set(fileIds)]), purpose: FilePurpose.Template, public: true },
    });
    return new Set(files.map((f) => f.id));
  }

  /** Makes a template the caller uploaded readable by anyone (templates uploaded over REST are already). */
  async publish(ctx: RequestContext, fileId: string): Promise<StoredFileDto> {
    return this.db.transaction(async () => {
      const file = await this.db
        .repo(StoredFile)
        .findOne({ where: { id: fileId }, lock: { mode: 'pessimistic_write' } });
      if (
        !file ||
        !this.isUploader(ctx, file) ||
        file.purpose !== FilePurpose.Template ||
        !ctx.has(Permission.CatalogManage)
      )
        throw notFound('file');
      if (!file.public) {
        file.public = true;
        await this.db.repo(StoredFile).save(file);
        await this.audit.append(ctx, { action: 'file.publish', resourceType: 'file', resourceId: file.id });
      }
      return toStoredFileDto(file);
    });
  }

  // ---------------------------------------------------------------------------------------------

  private async store(
    ctx: RequestContext,
    input: { name: string | null; declaredType: string; stream: Readable; purpose: FilePurpose },
    idempotencyKey?: string,
  ): Promise<StoredFileDto> {
    await mkdir(this.storage.spoolDir, { recursive: true });
    const temp = join(this.storage.spoolDir, `${randomUUID()}.upload`);
    try {
      const spooled = await spool(input.stream, temp, this.config.files.maxBytes);
      const sniffed = sniff(spooled.head, spooled.tail, spooled.size);
      if (!sniffed.ok) throw rejectedFile(ctx, sniffed.reason);
      if (!declaredMatches(input.declaredType, sniffed.type))
        throw rejectedFile(ctx, 'type-mismatch', normaliseDeclaredType(input.declaredType), sniffed.type);
      const now = new Date();
      const key = `${now.getUTCFullYear()}/${String(now.getUTCMonth() + 1).padStart(2, '0')}/${randomUUID()}`;
      if (this.storage.putFile) await this.storage.putFile(key, temp, spooled.size);
      else await this.storage.put(key, createReadStream(temp), spooled.size);
      // The key binds to what was read: the bytes (by their sha256) and how they were sent.
      const request = {
        method: 'POST',
        path: '/v1/files',
        body: {
          sha256: spooled.sha256,
          name: input.name,
          declaredType: input.declaredType,
          purpose: input.purpose,
        },
        status: 201,
      };
      let inserted = false;
      try {
        const stored = await this.idempotency.once(ctx, idempotencyKey, request, () =>
          this.db.transaction(async () => {
            inserted = true;
            const file = this.db.repo(StoredFile).create({
              id: uuidv7(),
              name: sanitiseFileName(input.name, sniffed.type),
              contentType: sniffed.type,
              size: spooled.size,
              sha256: spooled.sha256,
              storageDriver: this.storage.driver,
              storageKey: key,
              purpose: input.purpose,
              public: input.purpose === FilePurpose.Template,
              uploaderKind: ctx.actor.kind,
              uploaderId: ctx.actor.id!,
              subjectType: null,
              subjectId: null,
              attachedAt: null,
            });
            await this.db.repo(StoredFile).insert(file);
            // No file name in the leaf: names of personal documents are personal data.
            await this.audit.append(ctx, {
              action: 'file.upload',
              resourceType: 'file',
              resourceId: file.id,
              subjectId: this.dataSubject(file),
            });
            return toStoredFileDto(file);
          }),
        );
        // A replay answers with the file stored the first time: these bytes are a spare copy.
        if (!inserted) await this.storage.delete(key).catch(() => undefined);
        return stored;
      } catch (e) {
        await this.storage.delete(key).catch(() => undefined);
        throw e;
      }
    } finally {
      await rm(temp, { force: true });
    }
  }

  private assertMayUpload(ctx: RequestContext, purpose: FilePurpose): void {
    if (!ctx.actor.id || ctx.isAnonymous) throw new DomainError(ErrorCode.Unauthenticated);
    // Every file has an accountable uploader (an account, client or key id): jobs do not upload.
    if (ctx.actor.kind === 'system') throw new DomainError(ErrorCode.Forbidden);
    if (purpose === FilePurpose.Template && !ctx.has(Permission.CatalogManage))
      throw new DomainError(ErrorCode.Forbidden);
  }

  private isUploader(ctx: RequestContext, file: StoredFile): boolean {
    return !!ctx.actor.id && file.uploaderId === ctx.actor.id && file.uploaderKind === ctx.actor.kind;
  }

  /** The account whose personal data a file may be: its citizen uploader. */
  private dataSubject(file: StoredFile): string | null {
    return file.uploaderKind === 'citizen' ? file.uploaderId : null;
  }

  /** Uploader, or anyone for a published template; anonymous callers get 401 rather than a hint. */
  private async readable(ctx: RequestContext, id: string): Promise<StoredFile> {
    const file = await this.db.repo(StoredFile).findOne({ where: { id } });
    if (file?.public) return file;
    if (ctx.isAnonymous)
      throw new DomainError(ErrorCode.Unauthenticated, {}, [], { 'WWW-Authenticate': 'Bearer' });
    if (!file || !this.isUploader(ctx, file)) throw notFound('file');
    return file;
  }

  private async downloadOf(file: StoredFile): Promise<FileDownload> {
    return new FileDownload(await this.bytesOf(file), {
      name: file.name,
      contentType: file.contentType,
      size: file.size,
      etag: file.sha256,
      publicFile: file.public,
    });
  }

  private async bytesOf(file: StoredFile): Promise<Readable> {
    try {
      return await this.storage.get(file.storageKey);
    } catch (e) {
      this.logger.error(`bytes of file ${file.id} unreadable: ${e instanceof Error ? e.message : String(e)}`);
      throw new DomainError(ErrorCode.ServiceUnavailable);
    }
  }

  /**
   * Row, audit leaf and bytes in one go (inside the caller's transaction); the bytes go last, so a
   * failed delete leaves the row to try again. For remove() and FilesPurgeService, after their checks.
   */
  async destroy(ctx: RequestContext, file: StoredFile, action: string): Promise<void> {
    await this.db.repo(StoredFile).delete({ id: file.id });
    await this.audit.append(ctx, {
      action,
      resourceType: 'file',
      resourceId: file.id,
      subjectId: this.dataSubject(file),
    });
    await this.storage.delete(file.storageKey);
  }
}
