import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { S3Config } from '../../../../config/config';
import type { FileStorage } from './file-storage';

/**
 * Files in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, Alibaba OSS, Tencent COS) through the
 * AWS SDK. Checksums are sent only where the API requires them: the SDK's newer default (CRC32 on
 * every PutObject, aws-chunked bodies) is not understood by many S3-compatible servers, and the
 * platform keeps its own sha256 of every file anyway.
 */
export class S3FileStorage implements FileStorage {
  readonly driver = 's3' as const;
  readonly spoolDir = join(tmpdir(), 'onewindow-uploads');
  private readonly client: S3Client;

  constructor(private readonly config: S3Config) {
    this.client = new S3Client({
      region: config.region,
      endpoint: config.endpoint ?? undefined,
      forcePathStyle: config.forcePathStyle,
      credentials: config.credentials ?? undefined,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      maxAttempts: 3,
    });
  }

  private objectKey(key: string): string {
    return `files/${key}`;
  }

  async put(key: string, body: Readable | Buffer, size: number): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.config.bucket,
        Key: this.objectKey(key),
        Body: body,
        ContentLength: size,
        // Served by the API with the checked type; the bucket itself never serves it to a browser.
        ContentType: 'application/octet-stream',
      }),
    );
  }

  async get(key: string): Promise<Readable> {
    const out = await this.client.send(
      new GetObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }),
    );
    if (!(out.Body instanceof Readable)) throw new Error('S3 returned no body');
    return out.Body;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.config.bucket, Key: this.objectKey(key) }));
  }

  destroy(): void {
    this.client.destroy();
  }
}
