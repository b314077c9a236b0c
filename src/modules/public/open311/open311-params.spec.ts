import { DomainError } from '../../../api/errors/domain-error';
import type { Problem } from '../../../api/errors/problem';
import { errorRegistry } from '../../../api/errors/error-registry';
import { loadConfig } from '../../../config/config';
import { untranslatedCjk, untranslatedLatin } from '../../../api/errors/untranslated';
import { errorItems, formatOfPath, Open311Error, open311ErrorDialect, open311Status } from './open311-errors';
import { dateWindow, paging, Params, parseW3c } from './open311-params';
import { fileInput, open311Pointer, updateInput } from './open311-submissions';

const refusal = (fn: () => unknown): { pointer: string; code: string }[] => {
  try {
    fn();
  } catch (e) {
    if (e instanceof DomainError) return e.errors.map(({ pointer, code }) => ({ pointer, code }));
    throw e;
  }
  throw new Error('not refused');
};

describe('Open311 arguments', () => {
  it('reads W3C date-times with a zone only, real calendar dates only', () => {
    expect(parseW3c('2010-01-01T00:00:00Z')?.toISOString()).toBe('2010-01-01T00:00:00.000Z');
    expect(parseW3c('1994-11-05T08:15:30-05:00')?.toISOString()).toBe('1994-11-05T13:15:30.000Z');
    expect(parseW3c('2010-01-01T00:00Z')?.toISOString()).toBe('2010-01-01T00:00:00.000Z');
    for (const bad of [
      '2010-01-01',
      '2010-01-01T00:00:00',
      '2025-02-30T00:00:00Z',
      '2010-01-01T24:00:00Z',
      'x',
    ])
      expect(parseW3c(bad)).toBeUndefined();
    // an unencoded + in a URL arrives as a space
    const p = new Params({ start_date: '2010-01-01T00:00:00 08:00', end_date: '2010-02-01T00:00:00Z' });
    expect(dateWindow(p)?.from.toISOString()).toBe('2009-12-31T16:00:00.000Z');
  });

  it('windows at most 90 days, defaulting to the most recent 90', () => {
    const now = new Date('2026-12-01T00:00:00Z');
    const w = dateWindow(new Params({}), now)!;
    expect([w.from.toISOString(), w.to.toISOString()]).toEqual([
      '2026-09-02T00:00:00.000Z',
      now.toISOString(),
    ]);
    expect(
      refusal(() => {
        const p = new Params({ start_date: '2010-01-01T00:00:00Z', end_date: '2010-06-01T00:00:00Z' });
        dateWindow(p);
        p.done();
      }),
    ).toEqual([{ pointer: '/end_date', code: 'max' }]);
    expect(
      refusal(() => {
        const p = new Params({ start_date: '2010-02-01T00:00:00Z', end_date: '2010-01-01T00:00:00Z' });
        dateWindow(p);
        p.done();
      }),
    ).toEqual([{ pointer: '/end_date', code: 'min' }]);
  });

  it('pages with page/page_size (default 1000) and bounds the depth', () => {
    expect(paging(new Params({}))).toEqual({ limit: 1000, offset: 0 });
    expect(paging(new Params({ page: '3', page_size: '10' }))).toEqual({ limit: 10, offset: 20 });
    expect(paging(new Params({ page: '', page_size: '' }))).toEqual({ limit: 1000, offset: 0 });
    for (const bad of [
      { page: '0' },
      { page_size: '1001' },
      { page: '-1' },
      { page: '1.5' },
      { page: '102', page_size: '1000' },
    ])
      expect(
        refusal(() => {
          const p = new Params(bad);
          paging(p);
          p.done();
        }).length,
      ).toBe(1);
  });

  it('reads attribute[CODE] and attribute[CODE][] (multivaluelist), ignoring empty values', () => {
    const p = new Params({
      'attribute[WHISPAWN]': '123456',
      'attribute[MULTI][]': ['a', 'b'],
      'attribute[ONE][]': 'only',
      'attribute[EMPTY]': '',
      'attribute[]': 'x',
      attribute: 'y',
    });
    expect(p.attributes()).toEqual({ WHISPAWN: '123456', MULTI: ['a', 'b'], ONE: ['only'] });
  });

  it('files with one full location and names every refused argument', () => {
    const ok = fileInput(
      new Params({
        service_code: '001',
        lat: '37.76524078',
        long: '-122.4212043',
        description: 'x',
        email: 'a@b.c',
        media_url: ['http://a/1.jpg', 'https://a/2.jpg'],
        unknown_thing: 'ignored',
      }),
    );
    expect(ok).toMatchObject({
      categoryCode: '001',
      lat: 37.76524078,
      long: -122.4212043,
      anonymous: false,
      channel: 'open311',
      mediaUrls: ['http://a/1.jpg', 'https://a/2.jpg'],
    });
    expect(fileInput(new Params({ service_code: '1', address_id: '#NOTPINPOINTED#' })).anonymous).toBe(true);
    expect(refusal(() => fileInput(new Params({ service_code: '001' })))).toEqual([
      { pointer: '/lat', code: 'isDefined' },
    ]);
    expect(
      refusal(() =>
        fileInput(
          new Params({
            lat: '91',
            long: '1',
            media_url: 'javascript:alert(1)',
            description: 'x'.repeat(4001),
          }),
        ),
      ),
    ).toEqual([
      { pointer: '/service_code', code: 'isNotEmpty' },
      { pointer: '/lat', code: 'isNumber' },
      { pointer: '/description', code: 'maxLength' },
      { pointer: '/media_url', code: 'isUrl' },
    ]);
    expect(refusal(() => fileInput(new Params({ service_code: ['a', 'b'], lat: '1' })))).toEqual([
      { pointer: '/service_code', code: 'isString' },
      { pointer: '/long', code: 'isDefined' },
    ]);
  });

  it('reads an update with FixMyStreet’s upper-case extended statuses', () => {
    const { requestId, input } = updateInput(
      new Params({
        service_request_id: '42',
        description: 'Done',
        status: 'NOT_COUNCILS_RESPONSIBILITY',
        updated_datetime: '2011-05-01T10:00:00+01:00',
        update_id: '9',
        public_anonymity_required: 'FALSE',
      }),
    );
    expect(requestId).toBe('42');
    expect(input).toEqual({
      description: 'Done',
      status: 'not_councils_responsibility',
      updatedAt: new Date('2011-05-01T09:00:00Z'),
    });
    expect(refusal(() => updateInput(new Params({ status: 'WHATEVER' })))).toEqual([
      { pointer: '/service_request_id', code: 'isNotEmpty' },
      { pointer: '/description', code: 'isNotEmpty' },
      { pointer: '/status', code: 'isIn' },
    ]);
  });

  it('renames the complaints module’s pointers to the client’s arguments', () => {
    expect(open311Pointer('/attributes/WIDTH')).toBe('/attribute[WIDTH]');
    expect(open311Pointer('/addressString')).toBe('/address_string');
    expect(open311Pointer('/mediaUrls/1')).toBe('/media_url');
    expect(open311Pointer('/other')).toBe('/other');
  });
});

describe('OPEN311_JURISDICTION_ID', () => {
  it('is a domain-like id, lower-cased, with a demo default', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).open311JurisdictionId).toBe('onewindow.example.gov.cn');
    expect(
      loadConfig({ NODE_ENV: 'test', OPEN311_JURISDICTION_ID: ' City.Gov.CN ' }).open311JurisdictionId,
    ).toBe('city.gov.cn');
    for (const bad of ['a b', 'x/y', '-a.cn', 'a'.repeat(254)])
      expect(() => loadConfig({ NODE_ENV: 'test', OPEN311_JURISDICTION_ID: bad })).toThrow(
        /OPEN311_JURISDICTION_ID/,
      );
  });
});

describe('the Open311 error form', () => {
  const problem = (status: number, errors?: Problem['errors']): Problem => ({
    type: 't',
    title: 'x',
    status,
    detail: 'Detail.',
    code: 'X' as Problem['code'],
    errors,
  });
  it('answers 404, 403 or 400 as the spec says, keeping the platform status in the body code', () => {
    expect([404, 401, 403, 400, 405, 409, 413, 415, 422].map(open311Status)).toEqual([
      404, 403, 403, 400, 400, 400, 400, 400, 400,
    ]);
    expect(errorItems(problem(413))).toEqual([{ code: 413, description: 'Detail.' }]);
    expect(errorItems(problem(401))).toEqual([{ code: 403, description: 'Detail.' }]);
    expect(
      errorItems(
        problem(400, [
          { pointer: '/attribute[W]', code: 'isIn', message: 'must be one of a' },
          { pointer: '/lat', code: 'isNumber', message: 'bad' },
        ]),
      ),
    ).toEqual([
      { code: 400, description: 'attribute[W]: must be one of a' },
      { code: 400, description: 'lat: bad' },
    ]);
  });
  it('declares its codes in both languages, arguments named only through placeholders', () => {
    for (const code of Object.values(Open311Error)) {
      const zh = errorRegistry.text('zh-CN', code)!;
      const en = errorRegistry.text('en', code)!;
      expect([code, untranslatedLatin(`${zh.title} ${zh.detail}`)]).toEqual([code, []]);
      expect([code, untranslatedCjk(`${en.title} ${en.detail}`)]).toEqual([code, []]);
    }
  });

  it('renders by the path’s suffix, XML when it names none', () => {
    expect(formatOfPath('/open311/v2/services.JSON')).toBe('json');
    expect(formatOfPath('/open311/v2/nothing')).toBe('xml');
    const json = open311ErrorDialect.render(problem(404), '/open311/v2/requests/1.json');
    expect(json).toEqual({
      status: 404,
      contentType: 'application/json; charset=utf-8',
      body: '[{"code":404,"description":"Detail."}]',
    });
    const xml = open311ErrorDialect.render(problem(415), '/open311/v2/requests.xml');
    expect(xml.status).toBe(400);
    expect(xml.body).toBe(
      '<?xml version="1.0" encoding="utf-8"?>\n<errors><error><code>415</code><description>Detail.</description></error></errors>',
    );
  });
});
