import { GraphQLError, Kind, parseValue } from 'graphql';
import { DateScalar, DateTimeScalar, isRfc3339Date, isRfc3339DateTime, JsonObjectScalar } from './scalars';

describe('DateTime scalar (RFC 3339 date-time)', () => {
  it.each([
    '2026-03-01T08:00:00Z',
    '2026-03-01T08:00:00.123Z',
    '2026-03-01T08:00:00.123456+08:00',
    '2024-02-29T23:59:59-05:30',
    '2026-03-01t08:00:00z',
  ])('accepts %s as is', (v) => {
    expect(isRfc3339DateTime(v)).toBe(true);
    expect(DateTimeScalar.parseValue(v)).toBe(v);
    expect(DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: v })).toBe(v);
    expect(DateTimeScalar.serialize(v)).toBe(v);
  });

  it.each([
    '2026-03-01',
    '2026-03-01T08:00:00',
    '2026-03-01T08:00Z',
    '2026-02-30T08:00:00Z',
    '2025-02-29T08:00:00Z',
    '2026-13-01T08:00:00Z',
    '2026-03-01T24:00:00Z',
    '2026-03-01T08:60:00Z',
    '2026-03-01T08:00:60Z',
    '2026-03-01T08:00:00+24:00',
    '2026-03-01 08:00:00Z',
    ' 2026-03-01T08:00:00Z',
    'yesterday',
  ])('refuses %s on input with a GraphQLError naming the format', (v) => {
    expect(isRfc3339DateTime(v)).toBe(false);
    expect(() => DateTimeScalar.parseValue(v)).toThrow(GraphQLError);
    expect(() => DateTimeScalar.parseValue(v)).toThrow(/RFC 3339 date-time/);
    expect(() => DateTimeScalar.parseLiteral({ kind: Kind.STRING, value: v })).toThrow(GraphQLError);
  });

  it('refuses non-strings: numbers (epoch), literals of another kind', () => {
    expect(() => DateTimeScalar.parseValue(1767225600000)).toThrow(GraphQLError);
    expect(() => DateTimeScalar.parseLiteral(parseValue('1767225600'))).toThrow(GraphQLError);
  });

  it("serializes a Date as toISOString() (REST's JSON) and refuses to emit anything malformed", () => {
    const d = new Date('2026-03-01T00:00:00.000Z');
    expect(DateTimeScalar.serialize(d)).toBe('2026-03-01T00:00:00.000Z');
    expect(DateTimeScalar.serialize(d)).toBe(JSON.parse(JSON.stringify({ d })).d);
    expect(() => DateTimeScalar.serialize('2026-03-01')).toThrow(TypeError);
    expect(() => DateTimeScalar.serialize(new Date('x'))).toThrow(TypeError);
    expect(() => DateTimeScalar.serialize(0)).toThrow(TypeError);
  });
});

describe('Date scalar (RFC 3339 full-date)', () => {
  it('accepts real calendar days only, and never a Date object (which has a zone)', () => {
    expect(isRfc3339Date('2024-02-29')).toBe(true);
    expect(DateScalar.parseValue('2026-10-01')).toBe('2026-10-01');
    expect(DateScalar.serialize('2026-10-01')).toBe('2026-10-01');
    for (const bad of ['2025-02-29', '2026-00-10', '2026-1-01', '2026-10-01T00:00:00Z', '20261001']) {
      expect(isRfc3339Date(bad)).toBe(false);
      expect(() => DateScalar.parseValue(bad)).toThrow(/RFC 3339 full-date/);
    }
    expect(() => DateScalar.serialize(new Date())).toThrow(TypeError);
  });
});

describe('JSONObject scalar', () => {
  it('passes objects through, from variables and from literals (with variables inside)', () => {
    const form = { name: '张三', nested: { list: [1, 'two', null] } };
    expect(JsonObjectScalar.parseValue(form)).toBe(form);
    expect(JsonObjectScalar.serialize(form)).toBe(form);
    expect(
      JsonObjectScalar.parseLiteral(parseValue('{ a: 1, b: [true, "x"], c: $v }'), { v: 'from-var' }),
    ).toEqual({ a: 1, b: [true, 'x'], c: 'from-var' });
  });

  it('refuses arrays, JSON text, scalars and null-like values', () => {
    for (const bad of [[1], '{"a":1}', 3, true, null]) {
      expect(() => JsonObjectScalar.parseValue(bad)).toThrow(/must be a JSON object/);
      expect(() => JsonObjectScalar.serialize(bad)).toThrow(TypeError);
    }
    expect(() => JsonObjectScalar.parseLiteral(parseValue('[1]'))).toThrow(GraphQLError);
    expect(() => JsonObjectScalar.parseLiteral(parseValue('"{}"'))).toThrow(GraphQLError);
  });
});
