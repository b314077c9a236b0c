import { DomainError } from './domain-error';
import { ErrorCode } from './error-code';
import { QueryFailedError } from 'typeorm';
import { INSTANCE_MAX_LENGTH, problemInstance, renderProblem, toDomainError } from './problem';

/** RFC 3986 URI reference made of a path only (what `instance` holds). */
const URI_PATH = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*$/;

describe('problem `instance` (fits the documented schema: uri-reference, at most 2048 characters)', () => {
  it('echoes an ordinary path unchanged', () => {
    expect(problemInstance('/v1/applications/6f1c0d6e-0000-4000-8000-000000000000')).toBe(
      '/v1/applications/6f1c0d6e-0000-4000-8000-000000000000',
    );
    expect(problemInstance('/v1/a%20b')).toBe('/v1/a%20b');
    expect(problemInstance(undefined)).toBeUndefined();
  });

  it('cuts a long path at 2048 characters, never inside a percent escape', () => {
    const long = `/v1/files/${'a'.repeat(5000)}`;
    expect(problemInstance(long)).toBe(long.slice(0, INSTANCE_MAX_LENGTH));
    for (let pad = 0; pad < 3; pad++) {
      const escaped = problemInstance(`/${'b'.repeat(2040 + pad)}${'%41'.repeat(100)}`)!;
      expect(escaped.length).toBeLessThanOrEqual(INSTANCE_MAX_LENGTH);
      expect(escaped).toMatch(URI_PATH);
    }
  });

  it('percent-encodes what a URI may not hold: spaces, quotes, brackets, non-ASCII, a stray %', () => {
    expect(problemInstance('/v1/x y"<>[]{}|\\^`')).toBe('/v1/x%20y%22%3C%3E%5B%5D%7B%7D%7C%5C%5E%60');
    expect(problemInstance('/v1/服务')).toBe('/v1/%E6%9C%8D%E5%8A%A1');
    expect(problemInstance('/v1/100%/%zz')).toBe('/v1/100%25/%25zz');
    expect(problemInstance('/v1/\ud800')).toBe('/v1/%EF%BF%BD');
    expect(problemInstance(`/v1/${'服'.repeat(3000)}`)).toMatch(URI_PATH);
  });

  it('is what renderProblem puts in the body', () => {
    const problem = renderProblem(new DomainError(ErrorCode.NotFound), 'en', `/${'x'.repeat(5000)}`, 'req-1');
    expect(problem.instance).toHaveLength(INSTANCE_MAX_LENGTH);
  });
});

describe('a foreign key violation (SQLSTATE 23503, or 23001 for RESTRICT on newer servers)', () => {
  const violation = (detail: string, code = '23503') =>
    new QueryFailedError(
      'DELETE ...',
      [],
      Object.assign(new Error('violates foreign key'), { code, detail }),
    );

  it.each([
    [
      'a delete of a row still named (RESTRICT)',
      'Key (id)=(1) is still referenced from table "x".',
      'Other records still refer to this one; it cannot be deleted.',
    ],
    [
      'a write naming a missing row',
      'Key (account_id)=(1) is not present in table "account".',
      'A record this refers to does not exist.',
    ],
    [
      'a RESTRICT refusal reported as restrict_violation',
      'Key (id)=(1) is referenced from table "x".',
      'Other records still refer to this one; it cannot be deleted.',
      '23001',
    ],
  ])('is a 409 CONFLICT problem for %s, without the SQL', (_n, detail, text, code = '23503') => {
    const problem = renderProblem(toDomainError(violation(detail, code)), 'en', '/v1/x', 'req-1');
    expect(problem).toMatchObject({ status: 409, code: 'CONFLICT', detail: text });
    expect(JSON.stringify(problem)).not.toMatch(/foreign key|table|Key \(/);
  });
});
