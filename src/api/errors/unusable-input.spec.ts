import { unusableInput } from './unusable-input';

const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('unusableInput', () => {
  it('counts objects and arrays as levels; scalars and null are not levels', () => {
    expect(unusableInput('x', 0)).toBeNull();
    expect(unusableInput(null, 0)).toBeNull();
    expect(unusableInput(undefined, 0)).toBeNull();
    expect(unusableInput({}, 0)).toMatchObject({ pointer: '', code: 'maxDepth' });
    expect(unusableInput({}, 1)).toBeNull();
    expect(unusableInput(nested(32), 32)).toBeNull();
    expect(unusableInput(nested(33), 32)).toMatchObject({ code: 'maxDepth' });
  });

  it('finds the deep branch among shallow siblings', () => {
    expect(unusableInput({ a: 1, b: [1, 2, { c: 3 }], d: nested(40) }, 32)?.pointer).toMatch(
      /^\/d\/0\/a\/0\//,
    );
    expect(unusableInput({ a: 1, b: [1, 2, { c: 3 }], d: nested(10) }, 32)).toBeNull();
  });

  it('walks 100 000 levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(unusableInput(deep, 32)?.code).toBe('maxDepth');
  });

  it('refuses NUL and lone surrogates in any string value or key, naming where', () => {
    expect(unusableInput({ name: 'a\u0000b' })).toEqual({
      pointer: '/name',
      code: 'usableText',
      message: 'must be well-formed Unicode text without NUL (U+0000)',
    });
    expect(unusableInput({ email: '\ud800x@example.com' })?.pointer).toBe('/email');
    expect(unusableInput({ list: ['ok', { 'k/~\u0000': 1 }] })?.pointer).toBe('/list/1/k~1~0\u0000');
    expect(unusableInput('\udfff')?.pointer).toBe('');
    // other control characters are the DTOs' business (some fields allow tabs and newlines)
    expect(unusableInput({ text: 'line\n\tnext\u0001 名字🙂' })).toBeNull();
  });

  it('can check depth only, for transports that check text themselves', () => {
    expect(unusableInput({ q: 'a\u0000b' }, 32, false)).toBeNull();
    expect(unusableInput(nested(40), 32, false)?.code).toBe('maxDepth');
  });
});
