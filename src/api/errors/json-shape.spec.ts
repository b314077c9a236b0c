import { DEFAULT_BODY_SHAPE, bodyTooComplex } from './body-shape';
import { jsonTooComplex } from './json-shape';

const limits = { maxKeysPerObject: 3, maxArrayLength: 4, maxMembers: 10, maxDepth: 4 };
const scan = (text: string, l = limits) => jsonTooComplex(Buffer.from(text, 'utf8'), l);
const refusal = (text: string, l = limits) => {
  const e = scan(text, l);
  return e && { code: e.code, status: e.status, params: e.params, errors: e.errors };
};

describe('jsonTooComplex (BODY_MAX_* on the raw bytes)', () => {
  it('passes bodies within every cap, whatever their spacing and strings', () => {
    expect(scan('{"a":1,"b":[1,2,3,4],"c":{"d":"x,y:{[\\"]}"}}')).toBeNull();
    expect(scan(' [ 1 , 2 , 3 , 4 ] ')).toBeNull();
    expect(scan('"a string, not a container"')).toBeNull();
    expect(scan('{}')).toBeNull();
    expect(scan('{"名字":"张三","a":"\\u0000"}')).toBeNull();
  });

  it('refuses one object with too many members, naming where', () => {
    expect(refusal('{"x":{"a":1,"b":2,"c":3,"d":4}}')).toEqual({
      code: 'BODY_TOO_COMPLEX',
      status: 413,
      params: { setting: 'BODY_MAX_KEYS_PER_OBJECT', limit: 3, pointer: '/x' },
      errors: [
        {
          pointer: '/x',
          code: 'maxKeysPerObject',
          message: 'more than 3 members in one object (BODY_MAX_KEYS_PER_OBJECT)',
        },
      ],
    });
  });

  it('refuses a long array, with indexes and escaped keys in the pointer', () => {
    const e = refusal('{"a/b":[0,{"~k":[1,2,3,4,5]}]}');
    expect(e?.errors[0]).toMatchObject({ pointer: '/a~1b/1/~0k', code: 'maxArrayLength' });
    expect(e?.params).toMatchObject({ setting: 'BODY_MAX_ARRAY_LENGTH', limit: 4 });
  });

  it('refuses too many members in all, each container within its own cap', () => {
    const e = refusal('[[1,2,3],[1,2,3],[1,2,3],[1]]');
    // 1 + 3 + 1 + 3 + 1 + 2: the eleventh member is the second inside /2
    expect(e?.errors[0]).toMatchObject({ pointer: '/2', code: 'maxMembers' });
  });

  it('refuses nesting past the depth as 400 maxDepth, like the parsed-body check', () => {
    expect(scan('[[[[1]]]]')).toBeNull();
    const e = refusal('{"a":[[[[1]]]]}');
    expect(e).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
    expect(e?.errors[0]).toMatchObject({ pointer: '/a/0/0/0', code: 'maxDepth' });
  });

  it('agrees with the walk over the parsed body on which bodies pass', () => {
    const bodies = [
      '{"a":[1,2,3,4],"b":{"c":1,"d":2,"e":3}}',
      '{"a":[1,2,3,4,5]}',
      '{"a":1,"b":2,"c":3,"d":4}',
      '[[1,2],[3,4],[5,6],[7,8]]',
      '{"a":{"b":{"c":{"d":1}}}}',
    ];
    for (const b of bodies)
      expect([b, scan(b)?.code ?? null]).toEqual([b, bodyTooComplex(JSON.parse(b), limits)?.code ?? null]);
  });

  it('reads a 769 KB body of 60,000 keys in a few milliseconds', () => {
    const body = Buffer.from(
      JSON.stringify(Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i]))),
    );
    const start = performance.now();
    expect(jsonTooComplex(body, DEFAULT_BODY_SHAPE)?.errors[0].code).toBe('maxKeysPerObject');
    const ok = Buffer.from(JSON.stringify({ data: new Array(4000).fill({ a: 1 }) }));
    expect(jsonTooComplex(ok, DEFAULT_BODY_SHAPE)).toBeNull();
    expect(performance.now() - start).toBeLessThan(50);
  });
});
