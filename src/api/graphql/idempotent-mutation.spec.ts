import { twinRequest } from './idempotent-mutation';

describe('twinRequest', () => {
  it('fills path parameters from arguments, nested ones included', () => {
    expect(twinRequest('POST /v1/applications/:id/submit', { id: 'a1' })).toEqual({
      method: 'POST',
      path: '/v1/applications/a1/submit',
    });
    expect(twinRequest('post /v1/cases/:input.caseId/notes', { input: { caseId: 'c9', body: 'x' } })).toEqual(
      {
        method: 'POST',
        path: '/v1/cases/c9/notes',
      },
    );
    expect(twinRequest('POST /v1/staff', { input: {} })).toEqual({ method: 'POST', path: '/v1/staff' });
    expect(
      twinRequest('POST /v1/case-types/:t/subjects/:k/workflows', { t: 'ticket', k: 'a/b c' }).path,
    ).toBe('/v1/case-types/ticket/subjects/a%2Fb%20c/workflows');
  });

  it('leaves a missing or non-scalar parameter empty rather than guessing', () => {
    expect(twinRequest('POST /v1/x/:id/y', {}).path).toBe('/v1/x//y');
    expect(twinRequest('POST /v1/x/:id/y', { id: { a: 1 } }).path).toBe('/v1/x//y');
  });

  it('refuses a twin that is not "METHOD /path"', () => {
    expect(() => twinRequest('/v1/x', {})).toThrow(/bad twin/);
    expect(() => twinRequest('POST v1/x', {})).toThrow(/bad twin/);
  });
});
