import { Body, Controller, Get, Header, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import type { Page } from '../../../../api/http/pagination';
import { UuidParam } from '../../../../api/http/uuid-param';
import { ClientsService } from './clients.service';
import {
  ClientDto,
  ClientPageDto,
  ClientQueryDto,
  ClientWithSecretDto,
  CreateClientDto,
  RotateSecretDto,
} from './dto/clients.dto';

// No Idempotency-Key on these POSTs: a replay would have to store the one-time secret at rest.
@ApiTags('clients')
@Controller({ path: 'clients', version: '1' })
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  /** Registers an agency system; the client secret is in this response only. */
  @Allow(Permission.ClientManage)
  @Post()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: ClientWithSecretDto })
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateClientDto): Promise<ClientWithSecretDto> {
    return this.clients.create(ctx, dto);
  }

  @Allow(Permission.ClientManage)
  @Get()
  @ApiOkResponse({ type: ClientPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: ClientQueryDto): Promise<Page<ClientDto>> {
    return this.clients.list(ctx, query);
  }

  @Allow(Permission.ClientManage)
  @Get(':id')
  @ApiOkResponse({ type: ClientDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<ClientDto> {
    return this.clients.get(ctx, id);
  }

  /** Issues a new secret; the previous one stays valid for graceSeconds (default one day). */
  @Allow(Permission.ClientManage)
  @Post(':id/rotate-secret')
  @Header('Cache-Control', 'no-store')
  @HttpCode(200)
  @ApiOkResponse({ type: ClientWithSecretDto })
  rotate(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: RotateSecretDto,
  ): Promise<ClientWithSecretDto> {
    return this.clients.rotateSecret(ctx, id, dto);
  }

  /** Stops the client: no new tokens, and its current tokens are refused. */
  @Allow(Permission.ClientManage)
  @Post(':id/deactivate')
  @HttpCode(200)
  @ApiOkResponse({ type: ClientDto })
  deactivate(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<ClientDto> {
    return this.clients.deactivate(ctx, id);
  }
}
