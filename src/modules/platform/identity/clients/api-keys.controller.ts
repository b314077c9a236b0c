import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { Page, PageQuery } from '../../../../api/http/pagination';
import { UuidParam } from '../../../../api/http/uuid-param';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyCreatedDto, ApiKeyDto, ApiKeyPageDto, CreateApiKeyDto } from './dto/clients.dto';

// No Idempotency-Key on create: a replay would have to store the key itself at rest.
@ApiTags('api-keys')
@Controller({ path: 'api-keys', version: '1' })
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  /** Issues an integrator key; the whole key is in this response only. Send it as X-API-Key, never in a URL. */
  @Allow(Permission.ApiKeyManage)
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ApiKeyCreatedDto })
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateApiKeyDto): Promise<ApiKeyCreatedDto> {
    return this.keys.create(ctx, dto);
  }

  /** Keys within the caller's scope and the caller's own, newest first; only their prefix is shown. */
  @Allow(Permission.ApiKeyManage)
  @Get()
  @ApiOkResponse({ type: ApiKeyPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: PageQuery): Promise<Page<ApiKeyDto>> {
    return this.keys.list(ctx, query);
  }

  @Allow(Permission.ApiKeyManage)
  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: ApiKeyDto })
  revoke(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<ApiKeyDto> {
    return this.keys.revoke(ctx, id);
  }
}
