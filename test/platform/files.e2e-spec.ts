import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type request from 'supertest';
import { Permission } from '../../src/api/auth/permission';
import { RequestContext } from '../../src/api/context/request-context';
import { FILES_PURGE_JOB } from '../../src/modules/platform/files/files-purge.service';
import { FilesService } from '../../src/modules/platform/files/files.service';
import { JobsService } from '../../src/modules/platform/jobs/jobs.service';
import { RoleName } from '../../src/modules/platform/identity/staff/role-catalogue';
import { auth, makeCitizen, makeStaff, makeUnit, signIn } from '../identity/staff-fixtures';
import { samples } from '../support/sample-files';
import { startTestApp, TestApp } from '../support/test-app';

const MAX = 64 * 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** superagent parser that keeps any body as bytes */
const binaryParser = (res: request.Response, cb: (err: Error | null, body: Buffer) => void): void => {
  const stream = res as unknown as Readable;
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  stream.on('end', () => cb(null, Buffer.concat(chunks)));
};

interface Caller {
  id: string;
  kind: 'citizen' | 'staff';
  headers: Record<string, string>;
  permissions: Permission[];
}

describe('files: upload, download, attach, purge', () => {
  let t: TestApp;
  let dir: string;
  let files: FilesService;
  let citizen: Caller;
  let other: Caller;
  let catalog: Caller;
  let clerk: Caller;
  let auditor: Caller;

  const ctxOf = (c: Caller): RequestContext => {
    const ctx = new RequestContext(`test-${c.id}`, 'en');
    ctx.actor = { kind: c.kind, id: c.id, grants: new Map(c.permissions.map((p) => [p, '*' as const])) };
    return ctx;
  };
  const row = async (id: string): Promise<Record<string, unknown> | undefined> =>
    (await t.db.query<Record<string, unknown>>('SELECT * FROM stored_file WHERE id = $1', [id]))[0];
  const pathOf = (key: unknown): string => join(dir, 'files', String(key));
  const countOf = async (c: Caller): Promise<number> =>
    (
      await t.db.query<{ n: number }>('SELECT count(*)::int AS n FROM stored_file WHERE uploader_id = $1', [
        c.id,
      ])
    )[0].n;
  /** every stored byte file under the local driver's directory (the .part files of failed writes included) */
  const filesOnDisk = (): string[] => {
    const root = join(dir, 'files');
    return existsSync(root)
      ? (readdirSync(root, { recursive: true }) as string[]).filter((p) => /[0-9a-f-]{36}/.test(p))
      : [];
  };
  const multipart = (c: Caller, body: Buffer, filename: string, contentType: string, query = '') =>
    t.http.post(`/v1/files${query}`).set(c.headers).attach('file', body, { filename, contentType });
  const raw = (c: Caller | null, body: Buffer, contentType: string, query = '') =>
    t.http
      .post(`/v1/files${query}`)
      .set(c?.headers ?? {})
      .set('Content-Type', contentType)
      .send(body);
  const upload = async (c: Caller, body: Buffer, name = 'doc.pdf', type = 'application/pdf', query = '') => {
    const res = await multipart(c, body, name, type, query);
    if (res.status !== 201) throw new Error(`upload: ${res.status} ${res.text}`);
    return res.body as { id: string; name: string; sha256: string; size: number; contentType: string };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ow-files-'));
    t = await startTestApp({
      DATA_DIR: dir,
      FILES_MAX_BYTES: String(MAX),
      RATE_LIMIT_ANONYMOUS: '100000',
      RATE_LIMIT_AUTHENTICATED: '100000',
    });
    files = t.app.get(FilesService);
    const unit = await makeUnit(t, '文件测试局');
    const person = async (
      kind: 'citizen' | 'staff',
      role: RoleName | null,
      permissions: Permission[],
    ): Promise<Caller> => {
      const p =
        kind === 'citizen' ? await makeCitizen(t) : await makeStaff(t, unit, role ? [{ role, unit }] : []);
      return { id: p.id, kind, headers: auth(await signIn(t, p, kind)), permissions };
    };
    citizen = await person('citizen', null, [Permission.SelfService]);
    other = await person('citizen', null, [Permission.SelfService]);
    catalog = await person('staff', RoleName.OrgAdmin, [Permission.CatalogManage]);
    clerk = await person('staff', RoleName.Clerk, [Permission.CaseHandle]);
    auditor = await person('staff', RoleName.Auditor, []);
  });
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  describe('upload', () => {
    it('takes multipart/form-data: content-typed, checksummed, stored under a random key, audited without the name', async () => {
      const pdf = samples.pdf();
      const res = await multipart(citizen, pdf, '营业执照 副本.pdf', 'application/pdf').expect(201);
      expect(res.body).toEqual({
        id: expect.any(String),
        name: '营业执照 副本.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
        sha256: sha256(pdf),
        createdAt: expect.any(String),
      });
      const r = await row(res.body.id);
      expect(r).toMatchObject({
        uploader_id: citizen.id,
        uploader_kind: 'citizen',
        purpose: 'attachment',
        public: false,
        subject_id: null,
        sha256: sha256(pdf),
        storage_driver: 'local',
      });
      expect(String(r!.storage_key)).not.toContain('营业执照');
      expect(readFileSync(pathOf(r!.storage_key)).equals(pdf)).toBe(true);
      const leaves = await t.db.query<Record<string, unknown>>(
        `SELECT * FROM audit_leaf WHERE action = 'file.upload' AND resource_id = $1`,
        [res.body.id],
      );
      expect(leaves).toHaveLength(1);
      expect(leaves[0].subject_id).toBe(citizen.id);
      expect(JSON.stringify(leaves[0])).not.toContain('营业执照');
    });

    it('takes a raw body with its own Content-Type and ?name= (staff scans)', async () => {
      const png = samples.png();
      const res = await raw(clerk, png, 'image/png', `?name=${encodeURIComponent('../扫描件.png')}`).expect(
        201,
      );
      expect(res.body).toMatchObject({
        name: '扫描件.png',
        contentType: 'image/png',
        size: png.length,
        sha256: sha256(png),
      });
      const r = await row(res.body.id);
      expect(r).toMatchObject({ uploader_id: clerk.id, uploader_kind: 'staff' });
      expect(readFileSync(pathOf(r!.storage_key)).equals(png)).toBe(true);
    });

    it('recognises generically declared content (what mini-programs send): JPEG and OFD', async () => {
      const jpeg = await raw(citizen, samples.jpeg(), 'application/octet-stream').expect(201);
      expect(jpeg.body).toMatchObject({ contentType: 'image/jpeg', name: 'file.jpg' });
      const ofd = await multipart(citizen, samples.ofd(), '发票.ofd', 'application/octet-stream').expect(201);
      expect(ofd.body).toMatchObject({ contentType: 'application/ofd', name: '发票.ofd' });
    });

    it('names a file with the extension of its detected type, keeping the base name, and downloads it so', async () => {
      const disposition = async (id: string) =>
        (await t.http.get(`/v1/files/${id}/content`).set(citizen.headers).expect(200)).headers[
          'content-disposition'
        ];
      // a PDF that calls itself a web page: stored, listed and downloaded as a PDF name
      const pdf = await multipart(citizen, samples.pdf(), '通知.html', 'application/octet-stream').expect(
        201,
      );
      expect(pdf.body).toMatchObject({ contentType: 'application/pdf', name: '通知.pdf' });
      expect((await row(pdf.body.id))!.name).toBe('通知.pdf');
      expect(await disposition(pdf.body.id)).toBe(
        `attachment; filename="__.pdf"; filename*=UTF-8''${encodeURIComponent('通知')}.pdf`,
      );
      // an image with no extension gets one; a dotted base without one keeps its dots
      const png = await raw(citizen, samples.png(), 'image/png', '?name=scan').expect(201);
      expect(png.body.name).toBe('scan.png');
      const dotted = await multipart(citizen, samples.pdf(), 'v1.2', 'application/pdf').expect(201);
      expect(dotted.body.name).toBe('v1.2.pdf');
      // a JPEG called .exe, an OFD called .zip; an extension that already names the type is kept as written
      const jpeg = await multipart(citizen, samples.jpeg(), 'photo.exe', 'application/octet-stream').expect(
        201,
      );
      expect(jpeg.body).toMatchObject({ contentType: 'image/jpeg', name: 'photo.jpg' });
      expect(await disposition(jpeg.body.id)).toBe(
        `attachment; filename="photo.jpg"; filename*=UTF-8''photo.jpg`,
      );
      const ofd = await multipart(citizen, samples.ofd(), '发票.zip', 'application/octet-stream').expect(201);
      expect(ofd.body.name).toBe('发票.ofd');
      const kept = await multipart(citizen, samples.jpeg(), 'IMG_0001.JPEG', 'image/jpeg').expect(201);
      expect(kept.body.name).toBe('IMG_0001.JPEG');
    });

    it('refuses anonymous callers (401) and staff without an upload permission (403)', async () => {
      const before = filesOnDisk().length;
      await raw(null, samples.pdf(), 'application/pdf').expect(401);
      await raw(auditor, samples.pdf(), 'application/pdf').expect(403);
      expect(filesOnDisk()).toHaveLength(before);
    });

    it('lets only catalog staff upload templates', async () => {
      const res = await raw(citizen, samples.pdf(), 'application/pdf', '?purpose=template').expect(403);
      expect(res.body.code).toBe('FORBIDDEN');
      await raw(citizen, samples.pdf(), 'application/pdf', '?purpose=nonsense').expect(400);
    });
  });

  describe('limits', () => {
    const tooBig = (): Buffer => Buffer.concat([samples.pdf(), Buffer.alloc(MAX, 0x20)]);

    it('answers 413 for a file over FILES_MAX_BYTES, raw or multipart, and stores nothing', async () => {
      const before = { rows: await countOf(citizen), disk: filesOnDisk().length };
      const a = await raw(citizen, tooBig(), 'application/pdf').expect(413);
      expect(a.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(a.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      const b = await multipart(citizen, tooBig(), 'big.pdf', 'application/pdf').expect(413);
      expect(b.body.code).toBe('PAYLOAD_TOO_LARGE');
      expect(await countOf(citizen)).toBe(before.rows);
      expect(filesOnDisk()).toHaveLength(before.disk);
    });

    it('stops a chunked upload with no Content-Length as soon as it passes the limit', async () => {
      const before = await countOf(citizen);
      const server = t.app.getHttpServer();
      const listening = server.listening as boolean;
      if (!listening) await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      try {
        const { port } = server.address() as AddressInfo;
        // The body never ends on its own: the client keeps sending until the answer comes, so a 413
        // proves the server answered mid-stream instead of reading (or buffering) to the end.
        const CAP = MAX * 200;
        const result = await new Promise<{ status: number; sent: number }>((resolve, reject) => {
          let sent = 0;
          let answered = false;
          const req = httpRequest(
            {
              host: '127.0.0.1',
              port,
              agent: false,
              method: 'POST',
              path: '/v1/files',
              headers: { ...citizen.headers, 'Content-Type': 'application/pdf' },
            },
            (res) => {
              answered = true;
              res.resume();
              resolve({ status: res.statusCode ?? 0, sent });
              req.end();
            },
          );
          req.on('error', (e) => (answered ? undefined : reject(e)));
          req.write(samples.pdf());
          const more = (): void => {
            if (answered || req.destroyed) return;
            if (sent > CAP) {
              req.end();
              return;
            }
            sent += 16 * 1024;
            req.write(Buffer.alloc(16 * 1024, 0x20), () => setImmediate(more));
          };
          more();
        });
        expect(result.status).toBe(413);
        expect(result.sent).toBeLessThan(CAP);
      } finally {
        if (!listening) await new Promise<void>((r) => server.close(() => r()));
      }
      expect(await countOf(citizen)).toBe(before);
    });

    it.each([
      ['an executable declared as PNG (raw)', () => raw(citizen, samples.exe(), 'image/png'), /Executable/],
      [
        'an executable declared as PNG (multipart)',
        () => multipart(citizen, samples.exe(), 'photo.png', 'image/png'),
        /Executable/,
      ],
      [
        'an executable declared as such',
        () => raw(citizen, samples.exe(), 'application/x-msdownload'),
        /type is not accepted/,
      ],
      ['an empty file', () => multipart(citizen, Buffer.alloc(0), 'empty.pdf', 'application/pdf'), /empty/],
      ['HTML declared as text/html', () => raw(citizen, samples.html(), 'text/html'), /type is not accepted/],
      [
        'HTML declared generically',
        () => raw(citizen, samples.html(), 'application/octet-stream'),
        /HTML, SVG/,
      ],
      ['SVG declared as PNG', () => multipart(citizen, samples.svg(), 'x.png', 'image/png'), /HTML, SVG/],
      [
        'SVG declared as SVG',
        () => multipart(citizen, samples.svg(), 'x.svg', 'image/svg+xml'),
        /type is not accepted/,
      ],
      [
        'a PDF declared as PNG',
        () => raw(citizen, samples.pdf(), 'image/png'),
        /declared image\/png, content application\/pdf/,
      ],
      [
        'a zip that is not OFD',
        () => raw(citizen, samples.plainZip(), 'application/octet-stream'),
        /not an OFD/,
      ],
      ['JSON', () => raw(citizen, Buffer.from('{"a":1}'), 'application/json'), /type is not accepted/],
    ])('refuses %s with 415 FILE_REJECTED and a reason, storing nothing', async (_label, send, reason) => {
      const before = { rows: await countOf(citizen), disk: filesOnDisk().length };
      const res = await send().set('Accept-Language', 'en').expect(415);
      expect(res.body.code).toBe('FILE_REJECTED');
      expect(res.body.detail).toMatch(reason);
      expect(await countOf(citizen)).toBe(before.rows);
      expect(filesOnDisk()).toHaveLength(before.disk);
    });

    it('refuses multipart without a file part (400)', async () => {
      const res = await t.http.post('/v1/files').set(citizen.headers).field('name', 'x').expect(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
    });
  });

  describe('read and delete', () => {
    it('downloads with type, length, attachment name (RFC 5987), nosniff and ETag = sha256', async () => {
      const pdf = samples.pdf();
      const f = await upload(citizen, pdf, '申请表(签字).pdf');
      const res = await t.http
        .get(`/v1/files/${f.id}/content`)
        .set(citizen.headers)
        .buffer(true)
        .parse(binaryParser)
        .expect(200);
      expect((res.body as Buffer).equals(pdf)).toBe(true);
      expect(res.headers['content-type']).toBe('application/pdf');
      expect(res.headers['content-length']).toBe(String(pdf.length));
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="___(__).pdf"; filename*=UTF-8''${encodeURIComponent('申请表')}%28${encodeURIComponent('签字')}%29.pdf`,
      );
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers.etag).toBe(`"${sha256(pdf)}"`);
      expect(res.headers['cache-control']).toBe('private, no-store');
      const meta = await t.http.get(`/v1/files/${f.id}`).set(citizen.headers).expect(200);
      expect(meta.body).toEqual(f);
    });

    it('hides a file from everyone but its uploader: 404 for others, 401 for anonymous', async () => {
      const f = await upload(citizen, samples.pdf());
      for (const c of [other, clerk, catalog]) {
        await t.http.get(`/v1/files/${f.id}`).set(c.headers).expect(404);
        await t.http.get(`/v1/files/${f.id}/content`).set(c.headers).expect(404);
      }
      await t.http.delete(`/v1/files/${f.id}`).set(other.headers).expect(404);
      await t.http.get(`/v1/files/${f.id}`).expect(401);
      await t.http.get(`/v1/files/${f.id}/content`).expect(401);
      await t.http.delete(`/v1/files/${f.id}`).expect(401);
      await expect(
        files.attach(ctxOf(other), f.id, { type: 'application', id: other.id }),
      ).rejects.toMatchObject({ code: 'NOT_FOUND' });
      expect(await row(f.id)).toMatchObject({ subject_id: null });
      await t.http.get('/v1/files/not-a-uuid').set(citizen.headers).expect(400);
    });

    it('reads metadata over GraphQL for the uploader only', async () => {
      const f = await upload(citizen, samples.pdf());
      const query = 'query($id: ID!) { file(id: $id) { id name contentType size sha256 createdAt } }';
      const gql = (headers: Record<string, string>) =>
        t.http
          .post('/graphql')
          .set('Content-Type', 'application/json')
          .set(headers)
          .send({ query, variables: { id: f.id } });
      expect((await gql(citizen.headers).expect(200)).body.data.file).toEqual(f);
      const denied = (await gql(other.headers)).body;
      expect(denied.data).toBeNull();
      expect(denied.errors[0].extensions.code).toBe('NOT_FOUND');
    });

    it('lets the uploader delete an unattached file: row, bytes, audit leaf', async () => {
      const f = await upload(citizen, samples.pdf());
      const key = (await row(f.id))!.storage_key;
      await t.http.delete(`/v1/files/${f.id}`).set(citizen.headers).expect(204);
      expect(await row(f.id)).toBeUndefined();
      expect(existsSync(pathOf(key))).toBe(false);
      const leaves = await t.db.query(
        `SELECT 1 FROM audit_leaf WHERE action = 'file.delete' AND resource_id = $1`,
        [f.id],
      );
      expect(leaves).toHaveLength(1);
      await t.http.get(`/v1/files/${f.id}`).set(citizen.headers).expect(404);
    });
  });

  describe('attachments (FilesService for other modules)', () => {
    it('attaches for the uploader only, once; then the file cannot be deleted; detach frees it', async () => {
      const f = await upload(citizen, samples.pdf());
      const subject = { type: 'application', id: other.id };
      await expect(files.attach(ctxOf(citizen), f.id, subject)).resolves.toEqual(f);
      // the same subject again is a no-op; another subject is a conflict
      await expect(files.attach(ctxOf(citizen), f.id, subject)).resolves.toEqual(f);
      await expect(
        files.attach(ctxOf(citizen), f.id, { type: 'application', id: citizen.id }),
      ).rejects.toMatchObject({
        code: 'INVALID_STATE',
      });
      expect(await row(f.id)).toMatchObject({ subject_type: 'application', subject_id: other.id });
      const res = await t.http.delete(`/v1/files/${f.id}`).set(citizen.headers).expect(409);
      expect(res.body.code).toBe('INVALID_STATE');

      const opened = await files.openForSubject(f.id);
      expect(opened.meta).toEqual(f);
      const chunks: Buffer[] = [];
      for await (const c of opened.stream) chunks.push(c as Buffer);
      expect(sha256(Buffer.concat(chunks))).toBe(f.sha256);

      const g = await upload(citizen, samples.png(), 'b.png', 'image/png');
      expect(await files.describe([g.id, '00000000-0000-7000-8000-000000000000', f.id])).toEqual([g, f]);

      await files.detach(ctxOf(citizen), f.id);
      expect(await row(f.id)).toMatchObject({ subject_id: null, attached_at: null });
      await t.http.delete(`/v1/files/${f.id}`).set(citizen.headers).expect(204);
    });

    it('takes bytes from other modules through upload() with the same checks', async () => {
      const f = await files.upload(ctxOf(citizen), {
        name: 'a.png',
        declaredType: 'image/png',
        body: samples.png(),
      });
      expect(f).toMatchObject({ contentType: 'image/png', sha256: sha256(samples.png()) });
      await expect(
        files.upload(ctxOf(citizen), { name: 'a.png', declaredType: 'image/png', body: samples.exe() }),
      ).rejects.toMatchObject({ code: 'FILE_REJECTED' });
    });
  });

  describe('templates', () => {
    it('serves a template uploaded by catalog staff to anyone', async () => {
      const pdf = samples.pdf();
      const f = await upload(catalog, pdf, '申请表（空白）.pdf', 'application/pdf', '?purpose=template');
      expect(await row(f.id)).toMatchObject({ purpose: 'template', public: true });
      const res = await t.http.get(`/v1/files/${f.id}/content`).buffer(true).parse(binaryParser).expect(200);
      expect((res.body as Buffer).equals(pdf)).toBe(true);
      expect(res.headers['cache-control']).toBe('public, no-cache');
      await t.http.get(`/v1/files/${f.id}`).expect(200);
      // a template is never attached to a citizen's application
      await expect(
        files.attach(ctxOf(catalog), f.id, { type: 'application', id: other.id }),
      ).rejects.toMatchObject({
        code: 'NOT_FOUND',
      });
    });
  });

  describe('purge of unattached files', () => {
    it('deletes unattached attachments older than the TTL, rows and bytes; keeps attached, templates and fresh ones', async () => {
      const old = await upload(citizen, samples.pdf());
      const attached = await upload(citizen, samples.pdf());
      const template = await upload(catalog, samples.pdf(), 't.pdf', 'application/pdf', '?purpose=template');
      const fresh = await upload(citizen, samples.pdf());
      await files.attach(ctxOf(citizen), attached.id, { type: 'application', id: other.id });
      await t.db.query(`UPDATE stored_file SET created_at = now() - interval '25 hours' WHERE id = ANY($1)`, [
        [old.id, attached.id, template.id],
      ]);
      const oldKey = (await row(old.id))!.storage_key;
      expect(existsSync(pathOf(oldKey))).toBe(true);

      // through the registered job handler, as the worker runs it
      const handler = t.app.get(JobsService).handler(FILES_PURGE_JOB)!;
      await t.db.transaction(() => handler({}, RequestContext.system(FILES_PURGE_JOB)));

      expect(await row(old.id)).toBeUndefined();
      expect(existsSync(pathOf(oldKey))).toBe(false);
      for (const kept of [attached, template, fresh]) expect(await row(kept.id)).toBeDefined();
      const leaves = await t.db.query(
        `SELECT 1 FROM audit_leaf WHERE action = 'file.purge' AND resource_id = $1`,
        [old.id],
      );
      expect(leaves).toHaveLength(1);
      const next = await t.db.query(`SELECT 1 FROM job WHERE name = $1 AND status = 'pending'`, [
        FILES_PURGE_JOB,
      ]);
      expect(next).toHaveLength(1);
    });
  });
});
