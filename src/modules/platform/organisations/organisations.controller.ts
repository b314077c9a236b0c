import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Idempotent } from '../../../api/http/idempotency';
import { IfMatch } from '../../../api/http/if-match';
import { Page } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import {
  CreateOrganisationDto,
  CreateRegionDto,
  OrganisationDto,
  OrganisationPageDto,
  OrganisationQueryDto,
  RegionDto,
  UpdateOrganisationDto,
} from './dto/organisation.dto';
import { RegionQueryDto } from './dto/region-query.dto';
import { OrganisationsService } from './organisations.service';

@ApiTags('organisations')
@Controller({ path: 'organisations', version: '1' })
export class OrganisationsController {
  constructor(private readonly organisations: OrganisationsService) {}

  /** The public directory of agencies, departments and service centres with their contact channels. */
  @Public()
  @Get()
  @ApiOkResponse({ type: OrganisationPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: OrganisationQueryDto): Promise<Page<OrganisationDto>> {
    return this.organisations.list(ctx, query);
  }

  @Public()
  @Get(':id')
  @ApiOkResponse({ type: OrganisationDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<OrganisationDto> {
    return this.organisations.get(ctx, id);
  }

  /** Creates a unit below one the caller manages (top-level agencies need province-wide rights). */
  @Allow(Permission.OrganisationManage)
  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: OrganisationDto })
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateOrganisationDto): Promise<OrganisationDto> {
    return this.organisations.create(ctx, dto);
  }

  /** Replaces the editable fields; needs If-Match with the current ETag. */
  @Allow(Permission.OrganisationManage)
  @Put(':id')
  @ApiOkResponse({ type: OrganisationDto })
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @IfMatch() version: number,
    @Body() dto: UpdateOrganisationDto,
  ): Promise<OrganisationDto> {
    return this.organisations.update(ctx, id, version, dto);
  }
}

@ApiTags('organisations')
@Controller({ path: 'regions', version: '1' })
export class RegionsController {
  constructor(private readonly organisations: OrganisationsService) {}

  /** Jurisdictions; `parentCode` lists the children of one region. */
  @Public()
  @Get()
  @ApiOkResponse({ type: [RegionDto] })
  list(@Ctx() ctx: RequestContext, @Query() query: RegionQueryDto): Promise<RegionDto[]> {
    return this.organisations.listRegions(ctx, query.parentCode);
  }

  @Allow(Permission.OrganisationManage)
  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: RegionDto })
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateRegionDto): Promise<RegionDto> {
    return this.organisations.createRegion(ctx, dto);
  }
}
