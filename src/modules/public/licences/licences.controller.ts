import { Body, Controller, Get, Header, HttpCode, Param, Post, Query, StreamableFile } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Idempotent } from '../../../api/http/idempotency';
import { OptionalIfMatch } from '../../../api/http/if-match';
import { Page, PageQuery } from '../../../api/http/pagination';
import { UuidParam } from '../../../api/http/uuid-param';
import {
  IssueLicenceDto,
  LicenceDto,
  LicencePageDto,
  LicencePublicKeyDto,
  LicenceVerificationDto,
  RevokeLicenceDto,
} from './dto/licence.dto';
import { LicencesService } from './licences.service';

/** Who may see a licence and its QR code: its holder, and staff of the issuing unit (or above it). */
const HOLDER_OR_ISSUER = [Permission.SelfService, Permission.LicenceIssue, Permission.LicenceRevoke];

const qrResponse = (type: string) =>
  ApiOkResponse({
    description: `QR code of the verification URL (${type})`,
    content: { [type]: { schema: { type: 'string', format: 'binary', maxLength: 1_000_000 } } },
  });

@ApiTags('licences')
@Controller({ path: 'licences', version: '1' })
export class LicencesController {
  constructor(private readonly licences: LicencesService) {}

  /** Issues and signs an e-licence in the name of a unit within the caller's licence:issue scope (else 404). */
  @Allow(Permission.LicenceIssue)
  @Post()
  @Idempotent()
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: LicenceDto })
  issue(@Ctx() ctx: RequestContext, @Body() dto: IssueLicenceDto): Promise<LicenceDto> {
    return this.licences.issue(ctx, dto);
  }

  /** One licence, for its holder (name in full) or the issuing side's staff (name masked). */
  @Allow(...HOLDER_OR_ISSUER)
  @Get(':id')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: LicenceDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<LicenceDto> {
    return this.licences.get(ctx, id);
  }

  /** PNG QR code (512 px) of the licence's verification URL, for printing. */
  @Allow(...HOLDER_OR_ISSUER)
  @Get(':id/qr.png')
  @Header('Cache-Control', 'private, no-store')
  @ApiProduces('image/png')
  @qrResponse('image/png')
  qrPng(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<StreamableFile> {
    return this.licences.qr(ctx, id, 'png');
  }

  /** SVG QR code of the licence's verification URL, for screens and scalable print. */
  @Allow(...HOLDER_OR_ISSUER)
  @Get(':id/qr.svg')
  @Header('Cache-Control', 'private, no-store')
  @ApiProduces('image/svg+xml')
  @qrResponse('image/svg+xml')
  qrSvg(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<StreamableFile> {
    return this.licences.qr(ctx, id, 'svg');
  }

  /** Revokes a licence the caller's units issued; verification then answers valid=false with the reason. */
  @Allow(Permission.LicenceRevoke)
  @Post(':id/revoke')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'the ETag ("v<version>") the caller last saw',
  })
  @ApiOkResponse({ type: LicenceDto })
  revoke(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @OptionalIfMatch() version: number | undefined,
    @Body() dto: RevokeLicenceDto,
  ): Promise<LicenceDto> {
    return this.licences.revoke(ctx, id, dto.reason, version);
  }
}

/** Public verification (E7): any agency, bank or citizen checks a licence without an account. */
@ApiTags('licences')
@Controller({ path: 'licence-verifications', version: '1' })
export class LicenceVerificationsController {
  constructor(private readonly licences: LicencesService) {}

  /** The Ed25519 key licences are signed with (JWK and PEM), for checking signatures offline. */
  @Public()
  @Get('public-key')
  @ApiOkResponse({ type: LicencePublicKeyDto })
  publicKey(): LicencePublicKeyDto {
    return this.licences.publicKey();
  }

  /** Is the licence with this verification code genuine and in force? Unknown codes are 404. */
  @Public()
  @Get(':code')
  @ApiOkResponse({ type: LicenceVerificationDto })
  verify(@Ctx() ctx: RequestContext, @Param('code') code: string): Promise<LicenceVerificationDto> {
    return this.licences.verify(ctx, code);
  }
}

@ApiTags('me')
@Controller({ path: 'me', version: '1' })
export class MeLicencesController {
  constructor(private readonly licences: LicencesService) {}

  /** The licences issued to me, newest first. */
  @Allow(Permission.SelfService)
  @Get('licences')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: LicencePageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: PageQuery): Promise<Page<LicenceDto>> {
    return this.licences.listMine(ctx, query);
  }
}
