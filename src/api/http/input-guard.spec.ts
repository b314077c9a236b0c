import { bodyProblem } from './input-guard';

const nested = (depth: number): unknown => {
  let v: unknown = 'leaf';
  for (let i = 0; i < depth; i++) v = i % 2 ? [v] : { a: v };
  return v;
};

describe('bodyProblem', () => {
  it('counts objects and arrays as levels; scalars and null are not levels', () => {
    expect(bodyProblem('x', 0)).toBeNull();
    expect(bodyProblem(null, 0)).toBeNull();
    expect(bodyProblem(undefined, 0)).toBeNull();
    expect(bodyProblem({}, 0)).toMatchObject({ pointer: '', code: 'maxDepth' });
    expect(bodyProblem({}, 1)).toBeNull();
    expect(bodyProblem(nested(32), 32)).toBeNull();
    expect(bodyProblem(nested(33), 32)).toMatchObject({ code: 'maxDepth' });
  });

  it('finds the deep branch among shallow siblings', () => {
    expect(bodyProblem({ a: 1, b: [1, 2, { c: 3 }], d: nested(40) }, 32)?.pointer).toMatch(/^\/d\/0\/a\/0\//);
    expect(bodyProblem({ a: 1, b: [1, 2, { c: 3 }], d: nested(10) }, 32)).toBeNull();
  });

  it('walks 100 000 levels without overflowing the stack', () => {
    const deep = JSON.parse(`${'['.repeat(100_000)}${']'.repeat(100_000)}`) as unknown;
    expect(bodyProblem(deep, 32)?.code).toBe('maxDepth');
  });

  it('refuses NUL in any string value or key, naming where', () => {
    expect(bodyProblem({ name: 'a\u0000b' })).toEqual({
      pointer: '/name',
      code: 'noNulCharacter',
      message: 'must not contain the NUL character (U+0000)',
    });
    expect(bodyProblem({ list: ['ok', { 'k/~\u0000': 1 }] })?.pointer).toBe('/list/1/k~1~0\u0000');
    expect(bodyProblem('\u0000')?.pointer).toBe('');
    // other control characters are the DTOs' business (some fields allow tabs and newlines)
    expect(bodyProblem({ text: 'line\n\tnext\u0001' })).toBeNull();
  });
});
