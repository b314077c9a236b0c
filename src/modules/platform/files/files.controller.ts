import { Controller, Delete, Get, Header, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtension,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Download, FileDownload } from '../../../api/http/file-download';
import { Idempotent } from '../../../api/http/idempotency';
import { CONTENT_SCHEMAS_EXTENSION } from '../../../api/http/openapi-conventions';
import type { IncomingUpload } from '../../../api/http/upload';
import { UploadBody } from '../../../api/http/upload';
import { UuidParam } from '../../../api/http/uuid-param';
import { ALLOWED_TYPES } from './content-sniffer';
import { StoredFileDto, UploadFileQueryDto } from './dto/stored-file.dto';
import { FilesService } from './files.service';

/** Citizens upload their documents; catalog staff upload templates; clerks upload scans. */
const UPLOADERS = [Permission.SelfService, Permission.CatalogManage, Permission.CaseHandle];

const binary = { type: 'string', format: 'binary', maxLength: 1073741824 } as const;

/**
 * Uploads are REST only: GraphQL multipart requests are a CSRF vector (a simple cross-site form post)
 * and stream badly through a GraphQL server. An upload takes an Idempotency-Key: the body streams past
 * the interceptor, so the service binds the key to the bytes' sha256 once they are in.
 */
@ApiTags('files')
@Controller({ path: 'files', version: '1' })
export class FilesController {
  constructor(private readonly files: FilesService) {}

  /**
   * Uploads one file, as multipart/form-data (part `file`; what wx.uploadFile sends) or as the raw
   * body with its own Content-Type and `?name=`. The type is recognised from the content: PDF, PNG,
   * JPEG or OFD; anything else, or content that disagrees with the declared type, is 415 FILE_REJECTED.
   * Larger than FILES_MAX_BYTES: 413. With an Idempotency-Key, a retry with the same bytes answers
   * the first file (same id, Idempotent-Replayed: true); other bytes under the key are 422.
   */
  @Allow(...UPLOADERS)
  @Post()
  @Idempotent({ streamed: true })
  @Header('Cache-Control', 'no-store')
  @ApiConsumes('multipart/form-data', ...ALLOWED_TYPES, 'application/octet-stream')
  @ApiBody({ schema: binary })
  // One schema per content type: a form with its `file` part (other small fields are read and
  // ignored), or the raw bytes.
  @ApiExtension(CONTENT_SCHEMAS_EXTENSION, {
    'multipart/form-data': {
      type: 'object',
      required: ['file'],
      properties: { file: binary },
      // wx.uploadFile's formData: up to 20 small text fields, read and ignored.
      additionalProperties: { type: 'string', maxLength: 4096 },
      maxProperties: 21,
    },
    ...Object.fromEntries(
      [...ALLOWED_TYPES, 'application/octet-stream'].map((t) => [t, { ...binary, contentMediaType: t }]),
    ),
  })
  @ApiCreatedResponse({ type: StoredFileDto })
  @ApiPayloadTooLargeResponse({
    description: 'PAYLOAD_TOO_LARGE: the file exceeds FILES_MAX_BYTES (problem+json)',
  })
  @ApiUnsupportedMediaTypeResponse({
    description: 'FILE_REJECTED: empty, not an accepted type, or not what it claims (problem+json)',
  })
  upload(
    @Ctx() ctx: RequestContext,
    @UploadBody() upload: IncomingUpload,
    @Query() query: UploadFileQueryDto,
    // Declared by @Idempotent (Idempotency-Key, optional); header names are case-insensitive.
    @Headers('idempotency-key') idempotencyKey?: string,
  ): Promise<StoredFileDto> {
    return this.files.receive(ctx, upload, query, idempotencyKey);
  }

  /** Metadata of a file of mine, or of a published template. */
  @Public()
  @Get(':id')
  @ApiOkResponse({ type: StoredFileDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<StoredFileDto> {
    return this.files.get(ctx, id);
  }

  /** The bytes of a file of mine, or of a published template (public), as an attachment with ETag = sha256. */
  @Public()
  @Get(':id/content')
  @Download()
  @ApiProduces(...ALLOWED_TYPES)
  @ApiOkResponse({
    description: 'the file, with Content-Disposition: attachment and X-Content-Type-Options: nosniff',
    content: Object.fromEntries(ALLOWED_TYPES.map((t) => [t, { schema: binary }])),
  })
  content(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<FileDownload> {
    return this.files.download(ctx, id);
  }

  /** Deletes a file of mine that is not attached to anything (409 once attached). */
  @Allow(...UPLOADERS)
  @Delete(':id')
  @HttpCode(204)
  @ApiNoContentResponse({ description: 'deleted, bytes included' })
  remove(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<void> {
    return this.files.remove(ctx, id);
  }
}
