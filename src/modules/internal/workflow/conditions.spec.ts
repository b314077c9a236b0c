import { evaluateCondition, GuardDocument, readPointer } from './conditions';

const doc: GuardDocument = {
  form: { capital: 500, name: '张三', tags: ['a', 'b'], 'a/b': 1, nested: { ok: true } },
  case: { stage: 'review', supplementRequested: false },
};

describe('readPointer', () => {
  it('follows objects, arrays and escapes', () => {
    expect(readPointer(doc, '/form/capital')).toBe(500);
    expect(readPointer(doc, '/form/tags/1')).toBe('b');
    expect(readPointer(doc, '/form/a~1b')).toBe(1);
    expect(readPointer(doc, '/form/missing/deeper')).toBeUndefined();
    expect(readPointer(doc, 'form')).toBeUndefined();
    expect(readPointer(doc, '/form/tags/01')).toBeUndefined();
    expect(readPointer(doc, '/form/__proto__')).toBeUndefined();
  });
});

describe('evaluateCondition', () => {
  it('compares numbers and strings', () => {
    expect(evaluateCondition({ path: '/form/capital', op: 'gt', value: 100 }, doc)).toBe(true);
    expect(evaluateCondition({ path: '/form/capital', op: 'lte', value: 499 }, doc)).toBe(false);
    expect(evaluateCondition({ path: '/form/capital', op: 'gte', value: 500 }, doc)).toBe(true);
    expect(evaluateCondition({ path: '/form/name', op: 'lt', value: '李' }, doc)).toBe('张三' < '李');
  });

  it('is false on type mismatches and missing paths instead of throwing', () => {
    expect(evaluateCondition({ path: '/form/capital', op: 'gt', value: '100' }, doc)).toBe(false);
    expect(evaluateCondition({ path: '/form/none', op: 'lt', value: 1 }, doc)).toBe(false);
    expect(evaluateCondition({ path: '/form/none', op: 'exists' }, doc)).toBe(false);
    expect(evaluateCondition({ path: '/form/capital', op: 'bogus' as 'eq', value: 1 }, doc)).toBe(false);
  });

  it('supports eq, ne, in and deep equality', () => {
    expect(evaluateCondition({ path: '/case/stage', op: 'eq', value: 'review' }, doc)).toBe(true);
    expect(evaluateCondition({ path: '/case/stage', op: 'ne', value: 'review' }, doc)).toBe(false);
    expect(evaluateCondition({ path: '/case/stage', op: 'in', value: ['x', 'review'] }, doc)).toBe(true);
    expect(evaluateCondition({ path: '/case/stage', op: 'in', value: 'review' }, doc)).toBe(false);
    expect(evaluateCondition({ path: '/form/nested', op: 'eq', value: { ok: true } }, doc)).toBe(true);
  });

  it('combines with all, any and not', () => {
    const big = { path: '/form/capital', op: 'gt' as const, value: 100 };
    const small = { path: '/form/capital', op: 'lt' as const, value: 100 };
    expect(evaluateCondition({ all: [big, { not: small }] }, doc)).toBe(true);
    expect(evaluateCondition({ any: [small, { not: big }] }, doc)).toBe(false);
    expect(evaluateCondition({ all: [] }, doc)).toBe(true);
    expect(evaluateCondition({ any: [] }, doc)).toBe(false);
  });

  it('stops at absurd nesting', () => {
    let c: Parameters<typeof evaluateCondition>[0] = { path: '/form/capital', op: 'exists' };
    for (let i = 0; i < 40; i++) c = { not: { not: c } };
    expect(evaluateCondition(c, doc)).toBe(false);
  });
});
