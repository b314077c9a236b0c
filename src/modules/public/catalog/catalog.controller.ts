import { Body, Controller, Get, Header, Headers, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiExtraModels,
  ApiHeader,
  ApiOkResponse,
  ApiTags,
  getSchemaPath,
} from '@nestjs/swagger';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Idempotent } from '../../../api/http/idempotency';
import { IfMatch, OptionalIfMatch } from '../../../api/http/if-match';
import { Page } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import { CatalogPublicService } from './catalog-public.service';
import { CatalogStaffService } from './catalog-staff.service';
import { FormValidationService } from './form-validation.service';
import {
  ElderPublicGuideDto,
  FormDataDto,
  FormValidationResultDto,
  GuideQueryDto,
  PublicGuideDto,
  ServicePageDto,
  ServiceQueryDto,
  ServiceSearchQueryDto,
  ServiceSearchResultDto,
  ServiceSummaryDto,
} from './dto/catalog.dto';
import { ServiceContentDto } from './dto/service-content.dto';
import {
  CreateServiceDto,
  ServiceAdminDto,
  StaffServiceDto,
  StaffServicePageDto,
  StaffServiceQueryDto,
} from './dto/staff-catalog.dto';

const IF_MATCH_OPTIONAL = ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'the ETag ("v<version>") last seen',
});

/** Staff side of the catalogue: write, review and publish guide versions of the caller's units. */
@ApiTags('catalog')
@Controller({ path: 'catalog/services', version: '1' })
export class CatalogAdminController {
  constructor(private readonly catalog: CatalogStaffService) {}

  /** Creates a service with its first draft in a unit within the caller's catalog:manage scope. */
  @Allow(Permission.CatalogManage)
  @Post()
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ServiceAdminDto })
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateServiceDto): Promise<ServiceAdminDto> {
    return this.catalog.create(ctx, dto);
  }

  /**
   * The services of the caller's units in any state (draft, in review, published, retired), newest
   * first; filters: status, q (code or title), organisationId (a unit and below), updatedSince.
   */
  @Allow(Permission.CatalogManage, Permission.CatalogReview)
  @Get()
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: StaffServicePageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: StaffServiceQueryDto): Promise<Page<StaffServiceDto>> {
    return this.catalog.listStaff(ctx, query);
  }

  /** The staff view: status, open draft and published version. */
  @Allow(Permission.CatalogManage, Permission.CatalogReview)
  @Get(':id')
  @ApiOkResponse({ type: ServiceAdminDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<ServiceAdminDto> {
    return this.catalog.getAdmin(ctx, id);
  }

  /** Replaces the open draft (If-Match required). Versions in review or published are 409. */
  @Allow(Permission.CatalogManage)
  @Put(':id/draft')
  @ApiOkResponse({ type: ServiceAdminDto })
  updateDraft(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @IfMatch() version: number,
    @Body() dto: ServiceContentDto,
  ): Promise<ServiceAdminDto> {
    return this.catalog.updateDraft(ctx, id, version, dto);
  }

  /** Opens a new draft, a copy of the published version. */
  @Allow(Permission.CatalogManage)
  @Post(':id/revise')
  @HttpCode(200)
  @Idempotent()
  @IF_MATCH_OPTIONAL
  @ApiOkResponse({ type: ServiceAdminDto })
  revise(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() v?: number,
  ): Promise<ServiceAdminDto> {
    return this.catalog.revise(ctx, id, v);
  }

  /** Draft → in review. */
  @Allow(Permission.CatalogManage)
  @Post(':id/submit')
  @HttpCode(200)
  @Idempotent()
  @IF_MATCH_OPTIONAL
  @ApiOkResponse({ type: ServiceAdminDto })
  submit(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() v?: number,
  ): Promise<ServiceAdminDto> {
    return this.catalog.submit(ctx, id, v);
  }

  /** In review → back to draft. */
  @Allow(Permission.CatalogReview)
  @Post(':id/reject')
  @HttpCode(200)
  @Idempotent()
  @IF_MATCH_OPTIONAL
  @ApiOkResponse({ type: ServiceAdminDto })
  reject(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() v?: number,
  ): Promise<ServiceAdminDto> {
    return this.catalog.reject(ctx, id, v);
  }

  /** In review → published (checks promised ≤ legal time limit, the form, required materials). */
  @Allow(Permission.CatalogReview)
  @Post(':id/publish')
  @HttpCode(200)
  @Idempotent()
  @IF_MATCH_OPTIONAL
  @ApiOkResponse({ type: ServiceAdminDto })
  publish(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() v?: number,
  ): Promise<ServiceAdminDto> {
    return this.catalog.publish(ctx, id, v);
  }

  /** Withdraws the service from the public catalogue. */
  @Allow(Permission.CatalogReview)
  @Post(':id/retire')
  @HttpCode(200)
  @Idempotent()
  @IF_MATCH_OPTIONAL
  @ApiOkResponse({ type: ServiceAdminDto })
  retire(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() v?: number,
  ): Promise<ServiceAdminDto> {
    return this.catalog.retire(ctx, id, v);
  }
}

/** Public side: published guides, elder variants, form pre-validation. */
@ApiTags('services')
@ApiExtraModels(PublicGuideDto, ElderPublicGuideDto)
@Controller({ path: 'services', version: '1' })
export class ServicesController {
  constructor(
    private readonly catalog: CatalogPublicService,
    private readonly forms: FormValidationService,
  ) {}

  /** Published services, filtered; cursor-paged. */
  @Public()
  @Get()
  @ApiOkResponse({ type: ServicePageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: ServiceQueryDto): Promise<Page<ServiceSummaryDto>> {
    return this.catalog.list(ctx, query);
  }

  /** Ranked search over titles, guide text and keywords; understands Chinese without spaces. */
  @Public()
  @Get('search')
  @ApiOkResponse({ type: ServiceSearchResultDto })
  search(@Ctx() ctx: RequestContext, @Query() query: ServiceSearchQueryDto): Promise<ServiceSearchResultDto> {
    return this.catalog.search(ctx, query);
  }

  /** The published guide; `?mode=elder` or `Prefer: return=elder` gives the 长辈版. */
  @Public()
  @Get(':id')
  @Header('Vary', 'Prefer, Accept-Language')
  @ApiHeader({
    name: 'Prefer',
    required: false,
    description: '`return=elder` for the simplified (elder) guide',
  })
  @ApiOkResponse({
    schema: {
      oneOf: [{ $ref: getSchemaPath(PublicGuideDto) }, { $ref: getSchemaPath(ElderPublicGuideDto) }],
    },
  })
  get(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Query() query: GuideQueryDto,
    @Headers('prefer') prefer?: string,
  ): Promise<PublicGuideDto | ElderPublicGuideDto> {
    return this.catalog.guide(
      ctx,
      id,
      query.mode === 'elder' || (!query.mode && /(^|[\s,;])return=elder\b/i.test(prefer ?? '')),
    );
  }

  /** Checks form data against the published form; errors point at fields. */
  @Public()
  @Post(':id/form-validation')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: FormValidationResultDto })
  validate(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: FormDataDto,
  ): Promise<FormValidationResultDto> {
    return this.forms.formValidation(ctx, id, dto.data);
  }
}
