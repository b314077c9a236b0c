import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  StreamableFile,
  VERSION_NEUTRAL,
} from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';
import { Public } from '../../../api/auth/allow.decorator';
import { Ctx } from '../../../api/context/ctx.decorator';
import { Idempotent } from '../../../api/http/idempotency';
import type { RequestContext } from '../../../api/context/request-context';
import {
  Open311Jurisdiction,
  Open311Operation,
  RequestForm,
  RequestsQuery,
  SCHEMAS,
  UpdateForm,
  UpdatesQuery,
} from './open311-openapi';
import type { RawParams } from './open311-params';
import { Open311Service } from './open311.service';

const idParam = (name: string) => ApiParam({ name, schema: { type: 'string', maxLength: 100 } });

/**
 * Open311 GeoReport v2 (open311.org), outside URI versioning: the standard fixes its own paths.
 * Every route is @Public: reads are open, and the POSTs authenticate by the spec's `api_key`
 * argument in the service (403 in the spec's error form), not by the guard.
 */
@Controller({ path: 'open311/v2', version: VERSION_NEUTRAL })
export class Open311Controller {
  constructor(private readonly open311: Open311Service) {}

  @Public()
  @Get('discovery.:format')
  @Open311Operation('Service discovery (both formats)', SCHEMAS.discovery)
  discovery(@Ctx() ctx: RequestContext, @Param('format') format: string): StreamableFile {
    return this.open311.discovery(ctx, format);
  }

  @Public()
  @Get('services.:format')
  @Open311Operation('GET Service List', SCHEMAS.services)
  @Open311Jurisdiction()
  services(@Ctx() ctx: RequestContext, @Param('format') format: string, @Query() query: RawParams) {
    return this.open311.services(ctx, format, query);
  }

  @Public()
  @Get('services/:service_code.:format')
  @Open311Operation('GET Service Definition (the category’s form as attributes)', SCHEMAS.serviceDefinition)
  @idParam('service_code')
  @Open311Jurisdiction()
  definition(
    @Ctx() ctx: RequestContext,
    @Param('service_code') code: string,
    @Param('format') format: string,
    @Query() query: RawParams,
  ) {
    return this.open311.serviceDefinition(ctx, code, format, query);
  }

  @Public()
  @Post('requests.:format')
  @HttpCode(200)
  @Idempotent({ streamed: true })
  @Open311Operation('POST Service Request (api_key with open311:submit)', SCHEMAS.created)
  @RequestForm()
  create(
    @Ctx() ctx: RequestContext,
    @Param('format') format: string,
    @Body() body: RawParams,
    @Headers('content-type') contentType?: string,
    // Declared by @Idempotent (Idempotency-Key, optional); header names are case-insensitive.
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return this.open311.createRequest(ctx, format, body, contentType, idempotencyKey);
  }

  @Public()
  // The spec's {token} is a tracking code for an accepted request, not a credential: it is named
  // tracking_code here so the document does not look like it carries secrets in the URL.
  @Get('tokens/:tracking_code.:format')
  @Open311Operation('GET service_request_id from a token', SCHEMAS.token)
  @idParam('tracking_code')
  @Open311Jurisdiction()
  token(
    @Ctx() ctx: RequestContext,
    @Param('tracking_code') token: string,
    @Param('format') format: string,
    @Query() query: RawParams,
  ) {
    return this.open311.token(ctx, token, format, query);
  }

  @Public()
  @Get('requests.:format')
  @Open311Operation('GET Service Requests', SCHEMAS.requests)
  @RequestsQuery()
  requests(@Ctx() ctx: RequestContext, @Param('format') format: string, @Query() query: RawParams) {
    return this.open311.requests(ctx, format, query);
  }

  @Public()
  @Get('requests/:service_request_id.:format')
  @Open311Operation('GET Service Request', SCHEMAS.requests)
  @idParam('service_request_id')
  @Open311Jurisdiction()
  request(
    @Ctx() ctx: RequestContext,
    @Param('service_request_id') id: string,
    @Param('format') format: string,
    @Query() query: RawParams,
  ) {
    return this.open311.request(ctx, id, format, query);
  }

  @Public()
  @Get('servicerequestupdates.:format')
  @Open311Operation('GET service request updates (mySociety extension)', SCHEMAS.updates)
  @UpdatesQuery()
  updates(@Ctx() ctx: RequestContext, @Param('format') format: string, @Query() query: RawParams) {
    return this.open311.updates(ctx, format, query);
  }

  @Public()
  @Post('servicerequestupdates.:format')
  @HttpCode(200)
  @Idempotent({ streamed: true })
  @Open311Operation('POST a service request update (mySociety extension)', SCHEMAS.updateCreated)
  @UpdateForm()
  postUpdate(
    @Ctx() ctx: RequestContext,
    @Param('format') format: string,
    @Body() body: RawParams,
    @Headers('content-type') contentType?: string,
    @Headers('idempotency-key') idempotencyKey?: string,
  ) {
    return this.open311.postUpdate(ctx, format, body, contentType, idempotencyKey);
  }
}
