import {
  applyDecorators,
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  StreamableFile,
  UseInterceptors,
} from '@nestjs/common';
import type { Response } from 'express';
import type { Readable } from 'node:stream';
import { map, Observable } from 'rxjs';

export interface FileDownloadMeta {
  name: string;
  contentType: string;
  size: number;
  /** strong validator, e.g. the hex sha256 of the bytes */
  etag: string;
  /** a file anyone may read (cached by shared caches, revalidated) or one private to the caller */
  publicFile: boolean;
}

/**
 * `attachment` with an ASCII fallback and the exact name as RFC 5987/6266 `filename*`, so Chinese
 * names survive every browser and mini-program download API.
 */
export function contentDisposition(name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\%]/g, '_') || 'file';
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** A stored file as a response body; its headers are set by FileDownloadInterceptor. */
export class FileDownload extends StreamableFile {
  constructor(
    stream: Readable,
    readonly meta: FileDownloadMeta,
  ) {
    super(stream, { type: meta.contentType, length: meta.size, disposition: contentDisposition(meta.name) });
  }
}

/**
 * Sets what a download needs beyond Nest's StreamableFile: the ETag, caching, and nosniff (helmet sets
 * it too; repeated here so a download never depends on that default) so a browser never renders an
 * uploaded file as something else.
 */
@Injectable()
export class FileDownloadInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    return next.handle().pipe(
      map((body: unknown) => {
        if (body instanceof FileDownload) {
          res.setHeader('ETag', `"${body.meta.etag}"`);
          res.setHeader('X-Content-Type-Options', 'nosniff');
          res.setHeader('Cache-Control', body.meta.publicFile ? 'public, no-cache' : 'private, no-store');
          // A stream that fails after the headers went out ends the response rather than crashing.
          body.setErrorHandler((err, response) => {
            (response as Response).destroy(err);
          });
        }
        return body;
      }),
    );
  }
}

/** Marks a route that answers with a FileDownload. */
export const Download = () => applyDecorators(UseInterceptors(FileDownloadInterceptor));
