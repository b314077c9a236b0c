import { cursorCodec, cursorCodecs } from './pagination';

const raw = (values: unknown) => Buffer.from(JSON.stringify(values)).toString('base64url');
const ID = '01900000-0000-7000-8000-000000000001';

describe('CursorCodec', () => {
  const byDeadline = cursorCodec<[string, string]>('spec-deadline', 'instant|infinity', 'uuid');
  const bySeq = cursorCodec<[string]>('spec-seq', 'seq');
  const byRank = cursorCodec<[number, number, string]>('spec-rank', { oneOf: [0, 1, 2] }, 'int', 'uuid');
  const refuses = (codec: { decode: (c: string) => unknown }, cursor: string) =>
    expect(() => codec.decode(cursor)).toThrow('INVALID_CURSOR');

  it('decodes what it encodes, the list name first', () => {
    const cursor = byDeadline.encode(['2024-02-29T23:59:59.123456Z', ID]);
    expect(JSON.parse(Buffer.from(cursor, 'base64url').toString())).toEqual([
      'spec-deadline',
      '2024-02-29T23:59:59.123456Z',
      ID,
    ]);
    expect(byDeadline.decode(cursor)).toEqual(['2024-02-29T23:59:59.123456Z', ID]);
    expect(byDeadline.decode(byDeadline.encode(['infinity', ID]))).toEqual(['infinity', ID]);
    expect(bySeq.decode(bySeq.encode(['922337203685477580']))).toEqual(['922337203685477580']);
    expect(byRank.decode(byRank.encode([2, -2147483648, ID]))).toEqual([2, -2147483648, ID]);
  });

  it.each([
    '2025-99-99T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2025-02-29T00:00:00Z',
    '2026-04-31T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T23:60:00Z',
    '2026-01-01T23:59:60Z',
    '0000-01-01T00:00:00Z',
    '+275760-09-13T00:00:00.000Z',
    '2026-01-01T00:00:00.1234567Z',
    '2026-01-01T00:00:00+08:00',
    '2026-01-01',
    '-infinity',
  ])('refuses %s where an instant belongs', (at) => {
    refuses(byDeadline, raw(['spec-deadline', at, ID]));
  });

  it.each([
    ['another list', raw(['spec-seq', 'infinity', ID])],
    ['no list name', raw(['infinity', ID])],
    ['a value too many', raw(['spec-deadline', 'infinity', ID, ID])],
    ['a value too few', raw(['spec-deadline', 'infinity'])],
    ['an object', raw({ list: 'spec-deadline' })],
    ['a number for the id', raw(['spec-deadline', 'infinity', 42])],
    ['a decimal for the id', raw(['spec-deadline', 'infinity', '123'])],
    ['null for the instant', raw(['spec-deadline', null, ID])],
    ['not JSON', Buffer.from('[').toString('base64url')],
    ['characters outside base64url', 'a/b+c='],
    ['more than 512 characters', 'A'.repeat(513)],
  ])('refuses %s', (_label, cursor) => {
    refuses(byDeadline, cursor);
  });

  it.each([
    ['a sequence past a bigint', bySeq, raw(['spec-seq', '9999999999999999999'])],
    ['a negative sequence', bySeq, raw(['spec-seq', '-1'])],
    ['a sequence as a number', bySeq, raw(['spec-seq', 12])],
    ['a leading zero', bySeq, raw(['spec-seq', '012'])],
    ['a rank out of the list', byRank, raw(['spec-rank', 3, 0, ID])],
    ['a rank as text', byRank, raw(['spec-rank', '1', 0, ID])],
    ['an int past int4', byRank, raw(['spec-rank', 1, 2 ** 31, ID])],
    ['a fraction', byRank, raw(['spec-rank', 1, 1.5, ID])],
  ])('refuses %s', (_label, codec, cursor) => {
    refuses(codec, cursor);
  });

  it('keeps one codec per list name', () => {
    expect(cursorCodecs().get('spec-seq')).toBe(bySeq);
    expect(() => cursorCodec('spec-seq', 'uuid')).toThrow('two keyset lists are named "spec-seq"');
  });
});
