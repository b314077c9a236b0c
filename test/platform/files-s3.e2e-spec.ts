import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type request from 'supertest';
import { FilesService } from '../../src/modules/platform/files/files.service';
import { auth, makeCitizen, signIn } from '../identity/staff-fixtures';
import { samples } from '../support/sample-files';
import { startTestApp, TestApp } from '../support/test-app';

/** s3rver (a real S3 API over the local disk) ships no types; the little used here. */
interface S3rverInstance {
  run(): Promise<{ address: string; port: number }>;
  close(): Promise<void>;
}
type S3rverCtor = new (options: {
  port: number;
  address: string;
  silent: boolean;
  directory: string;
  configureBuckets: Array<{ name: string }>;
}) => S3rverInstance;
const S3rver = createRequire(__filename)('s3rver') as S3rverCtor;

const BUCKET = 'ow-files-test';
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
const binaryParser = (res: request.Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const stream = res as unknown as Readable;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};

/**
 * The S3 driver against a real S3-compatible server (s3rver, started here): the AWS SDK signs
 * SigV4 requests, path-style addressing as MinIO and most on-premise servers want.
 */
describe('files on S3-compatible storage', () => {
  let t: TestApp;
  let s3: S3rverInstance;
  let dir: string;
  let citizen: Record<string, string>;

  /** object keys the server holds (s3rver keeps each object as a folder under the bucket's) */
  const objects = (): string[] => {
    const root = join(dir, BUCKET);
    return existsSync(root)
      ? (readdirSync(root, { recursive: true }) as string[]).filter((p) =>
          /[0-9a-f-]{36}\._S3rver_object$/.test(p),
        )
      : [];
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ow-s3-'));
    s3 = new S3rver({
      port: 0,
      address: '127.0.0.1',
      silent: true,
      directory: dir,
      configureBuckets: [{ name: BUCKET }],
    });
    const { port } = await s3.run();
    t = await startTestApp({
      FILES_DRIVER: 's3',
      S3_ENDPOINT: `http://127.0.0.1:${port}`,
      S3_BUCKET: BUCKET,
      S3_REGION: 'cn-north-1',
      S3_ACCESS_KEY_ID: 'S3RVER',
      S3_SECRET_ACCESS_KEY: 'S3RVER',
      S3_FORCE_PATH_STYLE: 'true',
      FILES_MAX_BYTES: String(64 * 1024),
    });
    citizen = auth(await signIn(t, await makeCitizen(t), 'citizen'));
  });
  afterAll(async () => {
    await t?.close();
    await s3?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('uploads, downloads and deletes through the bucket', async () => {
    const pdf = samples.pdf();
    const before = objects().length;
    const up = await t.http
      .post('/v1/files')
      .set(citizen)
      .attach('file', pdf, { filename: '材料.pdf', contentType: 'application/pdf' })
      .expect(201);
    expect(up.body).toMatchObject({ contentType: 'application/pdf', size: pdf.length, sha256: sha256(pdf) });
    const [row] = await t.db.query<{ storage_driver: string }>(
      'SELECT storage_driver FROM stored_file WHERE id = $1',
      [up.body.id],
    );
    expect(row.storage_driver).toBe('s3');
    expect(objects()).toHaveLength(before + 1);

    const down = await t.http
      .get(`/v1/files/${up.body.id}/content`)
      .set(citizen)
      .buffer(true)
      .parse(binaryParser)
      .expect(200);
    expect(sha256(down.body as Buffer)).toBe(sha256(pdf));
    expect(down.headers['content-length']).toBe(String(pdf.length));

    const opened = await t.app.get(FilesService).openForSubject(up.body.id);
    const chunks: Buffer[] = [];
    for await (const c of opened.stream) chunks.push(c as Buffer);
    expect(Buffer.concat(chunks).equals(pdf)).toBe(true);

    await t.http.delete(`/v1/files/${up.body.id}`).set(citizen).expect(204);
    expect(objects()).toHaveLength(before);
  });

  it('puts nothing in the bucket for a rejected file', async () => {
    const before = objects().length;
    await t.http
      .post('/v1/files')
      .set(citizen)
      .set('Content-Type', 'image/png')
      .send(samples.exe())
      .expect(415);
    await t.http
      .post('/v1/files')
      .set(citizen)
      .set('Content-Type', 'application/pdf')
      .send(Buffer.alloc(70 * 1024, 0x25))
      .expect(413);
    expect(objects()).toHaveLength(before);
  });
});
