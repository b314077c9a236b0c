import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { notFound } from '../../../api/errors/domain-error';
import type { FileDownload } from '../../../api/http/file-download';
import { Db } from '../../../database/db';
import { AuditService } from '../../platform/audit/audit.service';
import { FilesService } from '../../platform/files/files.service';
import { versionByIdOrFail } from '../catalog/catalog-reads';
import { ApplicationAccess, SUBJECT } from './application-access';
import { Application, ApplicationAttachment, ApplicationStatus } from './application.entity';
import { invalid, invalidTransition, isMaterial, patchApplication } from './application-rules';
import { ApplicationDto, AttachmentInputDto } from './dto/application.dto';

/**
 * Files handed in for the guide's materials: on a draft, or while answering a 补正 notice (then
 * marked `supplement`, and only those may be taken back). The file itself lives in the files
 * module; this module decides who may see it.
 */
@Injectable()
export class ApplicationAttachmentsService {
  constructor(
    private readonly db: Db,
    private readonly audit: AuditService,
    private readonly access: ApplicationAccess,
    private readonly files: FilesService,
  ) {}

  async attach(ctx: RequestContext, id: string, dto: AttachmentInputDto): Promise<ApplicationDto> {
    return this.db.transaction(async () => {
      const app = await this.access.own(ctx, id, true);
      const phase = changeablePhase(ctx, app);
      await this.add(ctx, app, dto, phase, '/material');
      return this.access.view(ctx, await this.db.repo(Application).findOneByOrFail({ id }));
    });
  }

  /** Adds one attachment in the open transaction; the material must be one of the guide's. */
  async add(
    ctx: RequestContext,
    app: Application,
    dto: AttachmentInputDto,
    phase: 'application' | 'supplement',
    pointer: string,
  ): Promise<void> {
    const version = await versionByIdOrFail(this.db, app.serviceVersionId);
    if (!isMaterial(version, dto.material))
      throw invalid([
        { pointer, code: 'material', message: `"${dto.material}" is not a material of this service` },
      ]);
    const file = await this.files.attach(ctx, dto.fileId, { type: SUBJECT, id: app.id });
    const row = this.db.repo(ApplicationAttachment).create({
      applicationId: app.id,
      material: dto.material,
      fileId: file.id,
      name: file.name,
      sha256: file.sha256,
      size: file.size,
      contentType: file.contentType,
      phase,
    });
    await this.db.repo(ApplicationAttachment).save(row);
    // Bumps the application's version, so its ETag changes with its attachments.
    await patchApplication(this.db, app.id, { updatedAt: new Date() });
    await this.audit.append(ctx, {
      action: 'application.attach',
      resourceType: SUBJECT,
      resourceId: app.id,
      subjectId: app.applicantAccountId,
    });
  }

  async detach(ctx: RequestContext, id: string, attachmentId: string): Promise<ApplicationDto> {
    return this.db.transaction(async () => {
      const app = await this.access.own(ctx, id, true);
      const phase = changeablePhase(ctx, app);
      const row = isUuid(attachmentId)
        ? await this.db
            .repo(ApplicationAttachment)
            .findOne({ where: { id: attachmentId, applicationId: app.id } })
        : null;
      if (!row) throw notFound('attachment');
      if (phase === 'supplement' && row.phase !== 'supplement')
        throw invalidTransition(
          ctx,
          '已提交的材料不能撤回，只能补充',
          'files handed in with the application cannot be taken back, only added to',
        );
      await this.db.repo(ApplicationAttachment).delete(row.id);
      await this.files.detach(ctx, row.fileId);
      await patchApplication(this.db, app.id, { updatedAt: new Date() });
      await this.audit.append(ctx, {
        action: 'application.detach',
        resourceType: SUBJECT,
        resourceId: app.id,
        subjectId: app.applicantAccountId,
      });
      return this.access.view(ctx, await this.db.repo(Application).findOneByOrFail({ id }));
    });
  }

  /** The file's bytes, for the applicant or (audited) staff of the case's unit. */
  async content(ctx: RequestContext, id: string, attachmentId: string): Promise<FileDownload> {
    const { app } = await this.access.readable(ctx, id, 'case handling: attachment');
    const row = await this.db
      .repo(ApplicationAttachment)
      .findOne({ where: { id: attachmentId, applicationId: app.id } });
    if (!row) throw notFound('attachment');
    return this.files.downloadForSubject(row.fileId);
  }
}

/** Attachments change on drafts, and while a 补正 notice waits for its (one) answer. */
function changeablePhase(ctx: RequestContext, app: Application): 'application' | 'supplement' {
  if (app.status === ApplicationStatus.Draft) return 'application';
  if (app.status === ApplicationStatus.SupplementRequired && !app.supplement?.answeredAt) return 'supplement';
  throw invalidTransition(
    ctx,
    '只有草稿或待补正的申请可以修改材料',
    'files can only be changed on a draft or while answering a supplement request',
  );
}

const isUuid = (s: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
