import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Created } from '../../../api/http/created';
import { Idempotent } from '../../../api/http/idempotency';
import { IfMatch, OptionalIfMatch } from '../../../api/http/if-match';
import { Page, PageQuery } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import { ConsultationPermission } from './consultation-declarations';
import { CONSULTATION_STAFF } from './consultation.policy';
import { ConsultationContentService } from './consultation-content.service';
import { ConsultationsService } from './consultations.service';
import {
  AnswerConsultationDto,
  AskConsultationDto,
  ConsultationDto,
  ConsultationFaqDto,
  ConsultationPageDto,
  ConsultationSummaryDto,
  ConsultationTemplateDto,
  ConsultationTemplatePageDto,
  CreateTemplateDto,
  FollowUpDto,
  PublishFaqDto,
  StaffConsultationQueryDto,
  TemplateContentDto,
  TemplateQueryDto,
  TransferConsultationDto,
} from './dto/consultation.dto';

const TEMPLATES = ConsultationPermission.ManageTemplates;
const FAQ = ConsultationPermission.PublishFaq;

@ApiTags('consultations')
@Controller({ path: 'consultations', version: '1' })
export class ConsultationsController {
  constructor(
    private readonly consultations: ConsultationsService,
    private readonly content: ConsultationContentService,
  ) {}

  /** Asks a question of a published service (its unit answers) or of a unit (咨询). */
  @Allow(Permission.SelfService)
  @Post()
  @Idempotent()
  @Created()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ConsultationDto })
  ask(@Ctx() ctx: RequestContext, @Body() dto: AskConsultationDto): Promise<ConsultationDto> {
    return this.consultations.ask(ctx, dto);
  }

  /** Staff: the consultations their units (and those below) answer, newest first; no texts. */
  @Allow(...CONSULTATION_STAFF)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: ConsultationPageDto })
  list(
    @Ctx() ctx: RequestContext,
    @Query() q: StaffConsultationQueryDto,
  ): Promise<Page<ConsultationSummaryDto>> {
    return this.consultations.listForStaff(ctx, q);
  }

  /** One consultation and its thread: the asker, or the answering unit's staff (audited). */
  @Allow(Permission.SelfService, ...CONSULTATION_STAFF)
  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: ConsultationDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<ConsultationDto> {
    return this.consultations.get(ctx, id);
  }

  /** The asker's follow-up question (at most 3, within 30 days of the latest answer). */
  @Allow(Permission.SelfService)
  @Post(':id/follow-ups')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ConsultationDto })
  followUp(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: FollowUpDto,
  ): Promise<ConsultationDto> {
    return this.consultations.followUp(ctx, id, dto);
  }

  /** 答复: answers the waiting question (its case's `reply`), with a text or a template of the unit. */
  @Allow(Permission.CaseHandle)
  @Post(':id/answer')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ConsultationDto })
  answer(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: AnswerConsultationDto,
  ): Promise<ConsultationDto> {
    return this.consultations.answer(ctx, id, dto);
  }

  /** 转办: passes the waiting question to the competent unit (its case's `transfer`). */
  @Allow(Permission.CaseHandle)
  @Post(':id/transfer')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ConsultationDto })
  transfer(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: TransferConsultationDto,
  ): Promise<ConsultationDto> {
    return this.consultations.transfer(ctx, id, dto);
  }

  /** Publishes (or rewords) the answered consultation as an FAQ of its service's guide. */
  @Allow(FAQ)
  @Post(':id/faq')
  @HttpCode(200)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ConsultationFaqDto })
  publishFaq(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: PublishFaqDto,
  ): Promise<ConsultationFaqDto> {
    return this.content.publishFaq(ctx, id, dto);
  }

  /** Takes the consultation's FAQ off the guide. */
  @Allow(FAQ)
  @Delete(':id/faq')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'withdrawn' })
  withdrawFaq(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<void> {
    return this.content.withdrawFaq(ctx, id);
  }
}

@ApiTags('me')
@Controller({ path: 'me', version: '1' })
export class MeConsultationsController {
  constructor(private readonly consultations: ConsultationsService) {}

  /** My consultations, newest first. */
  @Allow(Permission.SelfService)
  @Get('consultations')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: ConsultationPageDto })
  list(@Ctx() ctx: RequestContext, @Query() q: PageQuery): Promise<Page<ConsultationSummaryDto>> {
    return this.consultations.listMine(ctx, q);
  }
}

@ApiTags('consultations')
@Controller({ path: 'consultation-templates', version: '1' })
export class ConsultationTemplatesController {
  constructor(private readonly content: ConsultationContentService) {}

  /** A unit's answer templates: for its template managers and its answering staff. */
  @Allow(TEMPLATES, ...CONSULTATION_STAFF)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: ConsultationTemplatePageDto })
  list(@Ctx() ctx: RequestContext, @Query() q: TemplateQueryDto): Promise<Page<ConsultationTemplateDto>> {
    return this.content.listTemplates(ctx, q);
  }

  @Allow(TEMPLATES)
  @Post()
  @HttpCode(201)
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ConsultationTemplateDto })
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateTemplateDto): Promise<ConsultationTemplateDto> {
    return this.content.createTemplate(ctx, dto);
  }

  /** Replaces a template's title and text; needs If-Match (428 without, 412 when stale). */
  @Allow(TEMPLATES)
  @Put(':id')
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: ConsultationTemplateDto })
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @IfMatch() version: number | undefined,
    @Body() dto: TemplateContentDto,
  ): Promise<ConsultationTemplateDto> {
    return this.content.updateTemplate(ctx, id, version, dto);
  }

  @Allow(TEMPLATES)
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted' })
  remove(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() version: number | undefined,
  ): Promise<void> {
    return this.content.deleteTemplate(ctx, id, version);
  }
}
