import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Created } from '../../../api/http/created';
import { Download, FileDownload } from '../../../api/http/file-download';
import { Idempotent } from '../../../api/http/idempotency';
import { IfMatch, OptionalIfMatch } from '../../../api/http/if-match';
import { Page } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import { ApplicationAttachmentsService } from './application-attachments.service';
import { ApplicationProgressService } from './application-progress.service';
import { ApplicationsService } from './applications.service';
import {
  ApplicationDto,
  ApplicationPageDto,
  ApplicationQueryDto,
  ApplicationReadQueryDto,
  ApplicationTimelineEntryDto,
  AttachmentInputDto,
  CreateApplicationDto,
  SupplementAnswerDto,
  UpdateApplicationDto,
  WithdrawApplicationDto,
} from './dto/application.dto';

/** The applicant, or staff working the case in its unit (masked, audited). */
const APPLICANT_OR_CASE_STAFF = [
  Permission.SelfService,
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseSupervise,
];

const IF_MATCH = ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'the ETag ("v<version>") the caller last saw',
});

@ApiTags('applications')
@Controller({ path: 'applications', version: '1' })
export class ApplicationsController {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly attachments: ApplicationAttachmentsService,
    private readonly progress: ApplicationProgressService,
  ) {}

  /** Starts a draft for a published service (as a person, a business, or a business's representative). */
  @Allow(Permission.SelfService)
  @Post()
  @Idempotent()
  @Created()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ApplicationDto })
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateApplicationDto): Promise<ApplicationDto> {
    return this.applications.create(ctx, dto);
  }

  /** My applications, newest first. */
  @Allow(Permission.SelfService)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: ApplicationPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: ApplicationQueryDto): Promise<Page<ApplicationDto>> {
    return this.applications.listMine(ctx, query);
  }

  @Allow(...APPLICANT_OR_CASE_STAFF)
  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: ApplicationDto })
  get(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Query() q: ApplicationReadQueryDto,
  ): Promise<ApplicationDto> {
    return this.applications.get(ctx, id, { fields: q.unmask, reason: q.reason });
  }

  /** Replaces a draft's form data; needs If-Match with the current ETag (428 without, 412 when stale). */
  @Allow(Permission.SelfService)
  @Put(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ApplicationDto })
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @IfMatch() version: number | undefined,
    @Body() dto: UpdateApplicationDto,
  ): Promise<ApplicationDto> {
    return this.applications.update(ctx, id, version, dto);
  }

  /** Discards a draft. */
  @Allow(Permission.SelfService)
  @Delete(':id')
  @HttpCode(204)
  @IF_MATCH
  @ApiNoContentResponse()
  discard(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() version: number | undefined,
  ): Promise<void> {
    return this.applications.discard(ctx, id, version);
  }

  /** Attaches an uploaded file (POST /v1/files) as one of the guide's materials. */
  @Allow(Permission.SelfService)
  @Post(':id/attachments')
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ApplicationDto })
  attach(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: AttachmentInputDto,
  ): Promise<ApplicationDto> {
    return this.attachments.attach(ctx, id, dto);
  }

  @Allow(Permission.SelfService)
  @Delete(':id/attachments/:attachmentId')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ApplicationDto })
  detach(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Param('attachmentId', UuidParam) attachmentId: string,
  ): Promise<ApplicationDto> {
    return this.attachments.detach(ctx, id, attachmentId);
  }

  @Allow(...APPLICANT_OR_CASE_STAFF)
  @Get(':id/attachments/:attachmentId/content')
  @Download()
  @ApiProduces('application/octet-stream')
  @ApiOkResponse({
    description: 'the file as uploaded',
    content: {
      'application/octet-stream': { schema: { type: 'string', format: 'binary', maxLength: 50_000_000 } },
    },
  })
  content(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Param('attachmentId', UuidParam) attachmentId: string,
  ): Promise<FileDownload> {
    return this.attachments.content(ctx, id, attachmentId);
  }

  /** Submits the draft: form and materials checked, numbered, handed to the workflow. */
  @Allow(Permission.SelfService)
  @Post(':id/submit')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ApplicationDto })
  submit(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<ApplicationDto> {
    return this.applications.submit(ctx, id);
  }

  /** The status timeline (public case history only). */
  @Allow(...APPLICANT_OR_CASE_STAFF)
  @Get(':id/timeline')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: [ApplicationTimelineEntryDto] })
  timeline(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
  ): Promise<ApplicationTimelineEntryDto[]> {
    return this.progress.timeline(ctx, id);
  }

  /** The one answer to a supplement notice (补正). */
  @Allow(Permission.SelfService)
  @Post(':id/supplement')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ApplicationDto })
  supplement(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: SupplementAnswerDto,
  ): Promise<ApplicationDto> {
    return this.progress.answerSupplement(ctx, id, dto);
  }

  /** Withdraws the application before a decision (撤回). */
  @Allow(Permission.SelfService)
  @Post(':id/withdraw')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ApplicationDto })
  withdraw(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: WithdrawApplicationDto,
  ): Promise<ApplicationDto> {
    return this.progress.withdraw(ctx, id, dto);
  }
}
