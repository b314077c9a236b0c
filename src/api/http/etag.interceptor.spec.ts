import { StreamableFile } from '@nestjs/common';
import type { ExecutionContext } from '@nestjs/common';
import { Readable } from 'node:stream';
import { lastValueFrom, of } from 'rxjs';
import { contextStore } from '../context/context-store';
import { RequestContext } from '../context/request-context';
import { EtagInterceptor, etagOf, isJsonBody, noneMatchHits } from './etag.interceptor';

describe('etagOf', () => {
  it('is "v<version>" for a versioned resource', () => {
    expect(etagOf({ id: '0190-x', version: 3, name: 'a' })).toBe('"v3"');
  });

  it('hashes anything else to a 27-character base64url tag that follows the bytes', () => {
    const page = { items: [{ id: 'a', version: 1 }], nextCursor: null };
    const tag = etagOf(page);
    expect(tag).toMatch(/^"h[A-Za-z0-9_-]{27}"$/);
    expect(etagOf({ items: [{ id: 'a', version: 1 }], nextCursor: null })).toBe(tag);
    expect(etagOf({ items: [{ id: 'a', version: 2 }], nextCursor: null })).not.toBe(tag);
    // No id string or no integer version: hashed.
    expect(etagOf({ id: 7, version: 1 })).toMatch(/^"h/);
    expect(etagOf({ id: 'a', version: 1.5 })).toMatch(/^"h/);
    expect(etagOf([{ id: 'a', version: 1 }])).toMatch(/^"h/);
  });
});

describe('noneMatchHits', () => {
  it.each([
    ['"v1"', true],
    ['W/"v1"', true],
    ['"v0", "v1"', true],
    ['"v0",W/"v1"', true],
    ['*', true],
    [' * ', true],
    ['"v2"', false],
    ['v1', false],
    ['"v11"', false],
    ['', false],
  ])('If-None-Match %s against "v1" → %s', (header, hit) => {
    expect(noneMatchHits(header, '"v1"')).toBe(hit);
  });

  it('copes with commas inside entity tags', () => {
    expect(noneMatchHits('"a,b", "c"', '"a,b"')).toBe(true);
    expect(noneMatchHits('"a,b"', '"a"')).toBe(false);
  });

  it('is false without the header', () => {
    expect(noneMatchHits(undefined, '"v1"')).toBe(false);
  });
});

describe('isJsonBody', () => {
  it('takes objects, arrays and class instances, not files, streams or scalars', () => {
    class Dto {
      a = 1;
    }
    expect(isJsonBody({})).toBe(true);
    expect(isJsonBody([])).toBe(true);
    expect(isJsonBody(new Dto())).toBe(true);
    for (const v of [
      null,
      undefined,
      'x',
      1,
      Buffer.from('x'),
      new StreamableFile(Buffer.from('x')),
      Readable.from(['x']),
      new Date(),
      new Uint8Array(1),
    ]) {
      expect(isJsonBody(v)).toBe(false);
    }
  });
});

describe('EtagInterceptor', () => {
  function http(method: string, headers: Record<string, string> = {}) {
    const out: Record<string, string> = {};
    const res = {
      statusCode: 200,
      headersSent: false,
      status(code: number) {
        this.statusCode = code;
        return this;
      },
      setHeader: (k: string, v: string) => void (out[k.toLowerCase()] = v),
      getHeader: (k: string) => out[k.toLowerCase()],
    };
    const context = {
      getType: () => 'http',
      getHandler: () => function handler() {},
      switchToHttp: () => ({ getRequest: () => ({ method, headers }), getResponse: () => res }),
    } as unknown as ExecutionContext;
    return { context, res, out };
  }
  const call = (context: ExecutionContext, body: unknown, actor?: RequestContext['actor']) => {
    const ctx = new RequestContext('r');
    if (actor) ctx.actor = actor;
    return contextStore.run(ctx, () =>
      lastValueFrom(new EtagInterceptor().intercept(context, { handle: () => of(body) })),
    );
  };
  const resource = { id: 'a', version: 4 };

  it('tags a GET answer and marks anonymous reads no-cache', async () => {
    const { context, out } = http('GET');
    await expect(call(context, resource)).resolves.toBe(resource);
    expect(out).toEqual({ etag: '"v4"', 'cache-control': 'no-cache' });
  });

  it('marks answers to a signed-in caller private, no-store', async () => {
    const { context, out } = http('GET');
    await call(context, resource, { kind: 'citizen', id: 'c', grants: new Map() });
    expect(out['cache-control']).toBe('private, no-store');
  });

  it('keeps a Cache-Control the handler chose', async () => {
    const { context, out } = http('GET');
    out['cache-control'] = 'public, max-age=60';
    await call(context, resource);
    expect(out['cache-control']).toBe('public, max-age=60');
  });

  it('answers a matching If-None-Match with an empty 304 that still carries the ETag', async () => {
    const { context, res, out } = http('HEAD', { 'if-none-match': '"v4"' });
    await expect(call(context, resource)).resolves.toBeUndefined();
    expect(res.statusCode).toBe(304);
    expect(out.etag).toBe('"v4"');
  });

  it('leaves other methods, other statuses and non-JSON bodies alone', async () => {
    const post = http('POST', { 'if-none-match': '*' });
    await expect(call(post.context, resource)).resolves.toBe(resource);
    expect(post.out).toEqual({});
    const created = http('GET', { 'if-none-match': '*' });
    created.res.statusCode = 202;
    await expect(call(created.context, resource)).resolves.toBe(resource);
    expect(created.out).toEqual({});
    const text = http('GET', { 'if-none-match': '*' });
    await expect(call(text.context, 'plain')).resolves.toBe('plain');
    expect(text.out).toEqual({});
  });
});
