import type { ExecutionContext } from '@nestjs/common';
import { lastValueFrom, of } from 'rxjs';
import type { AppConfig } from '../../config/config';
import { isPage, LinkHeaderInterceptor, nextPageUrl } from './link-header.interceptor';

describe('nextPageUrl', () => {
  it('keeps path and query, replaces the cursor, and is absolute on the public base URL', () => {
    expect(
      nextPageUrl('https://api.example.gov', '/v1/organisations?limit=2&cursor=old&q=%E5%B1%80', 'NEW'),
    ).toBe('https://api.example.gov/v1/organisations?limit=2&cursor=NEW&q=%E5%B1%80');
    expect(nextPageUrl('https://api.example.gov/onewindow/', '/v1/organisations', 'c1')).toBe(
      'https://api.example.gov/onewindow/v1/organisations?cursor=c1',
    );
  });
});

describe('isPage', () => {
  it('recognises { items, nextCursor } only', () => {
    expect(isPage({ items: [], nextCursor: null })).toBe(true);
    expect(isPage({ items: [], nextCursor: 'c' })).toBe(true);
    expect(isPage({ items: [] })).toBe(false);
    expect(isPage({ items: {}, nextCursor: 'c' })).toBe(false);
    expect(isPage([])).toBe(false);
    expect(isPage(null)).toBe(false);
  });
});

describe('LinkHeaderInterceptor', () => {
  const config = { publicBaseUrl: 'https://api.example.gov' } as AppConfig;
  function run(method: string, body: unknown, statusCode = 200) {
    const appended: Array<[string, string]> = [];
    const res = {
      statusCode,
      headersSent: false,
      append: (k: string, v: string) => void appended.push([k, v]),
    };
    const context = {
      getType: () => 'http',
      switchToHttp: () => ({
        getRequest: () => ({ method, originalUrl: '/v1/things?limit=2' }),
        getResponse: () => res,
      }),
    } as unknown as ExecutionContext;
    return lastValueFrom(
      new LinkHeaderInterceptor(config).intercept(context, { handle: () => of(body) }),
    ).then((b) => ({ b, appended }));
  }

  it('links the next page', async () => {
    const body = { items: [1, 2], nextCursor: 'abc' };
    const { b, appended } = await run('GET', body);
    expect(b).toBe(body);
    expect(appended).toEqual([
      ['Link', '<https://api.example.gov/v1/things?limit=2&cursor=abc>; rel="next"'],
    ]);
  });

  it('adds nothing on the last page, for other methods or statuses', async () => {
    expect((await run('GET', { items: [], nextCursor: null })).appended).toEqual([]);
    expect((await run('POST', { items: [], nextCursor: 'abc' })).appended).toEqual([]);
    expect((await run('GET', { items: [], nextCursor: 'abc' }, 206)).appended).toEqual([]);
  });
});
