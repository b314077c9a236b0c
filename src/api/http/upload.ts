import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import busboy from 'busboy';
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

/** One file coming in: the client's name and type for it (both unchecked) and its bytes, not yet read. */
export interface UploadedPart {
  name: string | null;
  declaredType: string;
  stream: Readable;
}

/**
 * A file upload not yet read, handed to a service so it can check size and type while the bytes
 * stream (nothing is buffered whole). Two shapes reach it: multipart/form-data with the file in the
 * part named `file` (browsers' FormData, WeChat's wx.uploadFile), or the raw bytes as the body with
 * the file's own Content-Type and the name in `?name=`.
 */
export interface IncomingUpload {
  /** Content-Length of the request when sent (the multipart envelope included) */
  readonly contentLength: number | null;
  readonly multipart: boolean;
  /** The declared type before any byte is read (raw bodies; multipart answers after open()). */
  readonly declaredType: string;
  /** Resolves when the file's bytes start; `maxBytes` bounds what the multipart parser passes on. */
  open(maxBytes: number): Promise<UploadedPart>;
}

/** the multipart field that carries the file */
export const UPLOAD_FIELD = 'file';

const badMultipart = (message: string): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
    { pointer: `/${UPLOAD_FIELD}`, code: 'multipart', message },
  ]);

function openMultipart(req: Request, maxBytes: number): Promise<UploadedPart> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: req.headers,
        // One file; a few small text fields (wx.uploadFile's formData) are read and ignored.
        limits: { files: 1, fileSize: maxBytes + 1, fields: 20, fieldSize: 4096, parts: 30, headerPairs: 50 },
        defParamCharset: 'utf8',
      });
    } catch {
      return reject(badMultipart('malformed multipart/form-data header (boundary missing?)'));
    }
    let found: UploadedPart | null = null;
    parser.on('file', (field, stream, info) => {
      if (field !== UPLOAD_FIELD || found) {
        stream.resume();
        return;
      }
      found = { name: info.filename ?? null, declaredType: info.mimeType ?? '', stream };
      resolve(found);
    });
    parser.on('error', (e: Error) => {
      if (found) found.stream.destroy(e);
      else reject(badMultipart(`malformed multipart/form-data: ${e.message}`));
    });
    parser.on('close', () => {
      if (!found) reject(badMultipart(`no file in a part named "${UPLOAD_FIELD}"`));
    });
    req.on('aborted', () => {
      if (found) found.stream.destroy(new Error('client aborted the upload'));
    });
    req.pipe(parser);
  });
}

/** The pending upload of the current request (see IncomingUpload). */
export const UploadBody = createParamDecorator((_: unknown, context: ExecutionContext): IncomingUpload => {
  const req = context.switchToHttp().getRequest<Request>();
  const type = req.headers['content-type'] ?? '';
  const multipart = /^multipart\/form-data\s*(;|$)/i.test(type);
  const length = req.headers['content-length'] ? Number(req.headers['content-length']) : null;
  const name = typeof req.query.name === 'string' ? req.query.name : null;
  return {
    contentLength: Number.isFinite(length) ? length : null,
    multipart,
    declaredType: multipart ? '' : type,
    open: (maxBytes) => {
      if (multipart) return openMultipart(req, maxBytes);
      // A JSON or form body has already been consumed by the body parsers: there is no file left to read.
      if ((req as { _body?: boolean })._body || req.readableEnded)
        return Promise.reject(new DomainError(ErrorCode.FileRejected, { reason: 'not a file' }));
      return Promise.resolve({ name, declaredType: type, stream: req });
    },
  };
});
