import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { SNIFF_HEAD_BYTES, SNIFF_TAIL_BYTES } from './content-sniffer';

export interface Spooled {
  size: number;
  sha256: string;
  head: Buffer;
  tail: Buffer;
}

export const tooLarge = (maxBytes: number): DomainError =>
  new DomainError(ErrorCode.PayloadTooLarge, { limit: maxBytes });

/**
 * Streams an upload into a temp file while counting, hashing and keeping the head and tail the
 * sniffer needs. Past maxBytes it stops at once with 413: nothing more is written, and the rest of
 * the request is drained and discarded (not destroyed, so the client still reads the 413).
 */
export function spool(source: Readable, path: string, maxBytes: number): Promise<Spooled> {
  const hash = createHash('sha256');
  let size = 0;
  const head: Buffer[] = [];
  let headLen = 0;
  const tail: Buffer[] = [];
  let tailLen = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      size += chunk.length;
      if (size > maxBytes) return cb(tooLarge(maxBytes));
      hash.update(chunk);
      if (headLen < SNIFF_HEAD_BYTES) {
        const part = chunk.subarray(0, SNIFF_HEAD_BYTES - headLen);
        head.push(part);
        headLen += part.length;
      }
      tail.push(chunk);
      tailLen += chunk.length;
      while (tail.length > 1 && tailLen - tail[0].length >= SNIFF_TAIL_BYTES) tailLen -= tail.shift()!.length;
      cb(null, chunk);
    },
  });
  const out = createWriteStream(path, { flags: 'wx' });
  return new Promise<Spooled>((resolve, reject) => {
    let failed = false;
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      source.unpipe(meter);
      source.resume();
      meter.destroy();
      out.destroy();
      void rm(path, { force: true }).finally(() => reject(e instanceof Error ? e : new Error(String(e))));
    };
    source.on('error', fail);
    source.on('aborted', () => fail(new Error('the client aborted the upload')));
    meter.on('error', fail);
    out.on('error', fail);
    out.on('finish', () => {
      if (failed) return;
      const t = Buffer.concat(tail);
      resolve({
        size,
        sha256: hash.digest('hex'),
        head: Buffer.concat(head),
        tail: t.subarray(Math.max(0, t.length - SNIFF_TAIL_BYTES)),
      });
    });
    source.pipe(meter).pipe(out);
  });
}
