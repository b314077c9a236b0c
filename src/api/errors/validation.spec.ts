import type { ValidationError } from '@nestjs/common';
import { IsInt, IsString, validateSync } from 'class-validator';
import { DomainError } from './domain-error';
import {
  boundedPointer,
  createValidationPipe,
  flattenValidationErrors,
  IsInstant,
  memoiseValidationMetadata,
  pointerToken,
} from './validation';

class Probe {
  @IsInstant()
  at!: unknown;
}

const valid = (at: unknown) => validateSync(Object.assign(new Probe(), { at })).length === 0;

describe('IsInstant', () => {
  it('accepts ISO 8601 dates and date-times that Date reads', () => {
    for (const at of [
      '2025-06-01',
      '2025-06-01T08:00:00Z',
      '2025-06-01T08:00:00.123+08:00',
      '2025-06-01T08:00Z',
      '9999-12-31T23:59:59.999Z',
    ]) {
      expect([at, valid(at)]).toEqual([at, true]);
    }
  });

  it('refuses the ISO 8601 forms IsISO8601 passes but Date cannot read (they became Invalid Date, then a 500)', () => {
    for (const at of ['20250601', '2025-W01-1', '2025-152', '2025-06-01T12Z']) {
      expect([at, valid(at)]).toEqual([at, false]);
    }
  });

  it('refuses non-dates, impossible dates and non-strings', () => {
    for (const at of [
      '2025-02-30',
      '0000-01-01T00:00:00Z',
      '+275760-09-13T00:00:00.000Z',
      'yesterday',
      '',
      20250601,
      null,
      {},
    ]) {
      expect([at, valid(at)]).toEqual([at, false]);
    }
  });

  it('names itself in the error, for the zh-CN field message', () => {
    const [error] = validateSync(Object.assign(new Probe(), { at: '20250601' }));
    expect(Object.keys(error.constraints ?? {})).toEqual(['isInstant']);
  });
});

describe('memoised validation metadata', () => {
  class Base {
    @IsString()
    name!: unknown;
  }
  class Child extends Base {
    @IsInt()
    count!: unknown;
  }
  const errorsOf = (o: object) =>
    validateSync(o, { whitelist: true, forbidNonWhitelisted: true })
      .map((e) => `${e.property}:${Object.keys(e.constraints ?? {}).join(',')}`)
      .sort();

  it('gives the same answers as before, inherited rules included, call after call', () => {
    const before = errorsOf(Object.assign(new Child(), { name: 1, count: 'x', extra: true }));
    memoiseValidationMetadata();
    memoiseValidationMetadata();
    for (let i = 0; i < 3; i++)
      expect(errorsOf(Object.assign(new Child(), { name: 1, count: 'x', extra: true }))).toEqual(before);
    expect(before).toEqual(['count:isInt', 'extra:whitelistValidation', 'name:isString']);
    expect(errorsOf(Object.assign(new Child(), { name: 'a', count: 2 }))).toEqual([]);
  });

  it('picks up rules registered after it was installed (a class loaded later)', () => {
    memoiseValidationMetadata();
    expect(errorsOf(Object.assign(new Base(), { name: 'a' }))).toEqual([]);
    class Later extends Base {
      @IsInt()
      late!: unknown;
    }
    expect(errorsOf(Object.assign(new Later(), { name: 'a', late: 'x' }))).toEqual(['late:isInt']);
    expect(errorsOf(Object.assign(new Base(), { name: 'a', late: 1 }))).toEqual(['late:whitelistValidation']);
  });
});

describe('validation error pointers (RFC 6901)', () => {
  class Inner {
    @IsInt()
    n!: unknown;
  }

  it('escapes ~ as ~0 and / as ~1 in every reference token', () => {
    const errors = [
      {
        property: 'a~b',
        constraints: { isInt: 'a~b must be an integer' },
        children: [{ property: 'c/d', constraints: { isString: 'c/d must be a string' }, children: [] }],
      },
    ] as unknown as ValidationError[];
    expect(flattenValidationErrors(errors).map((e) => e.pointer)).toEqual(['/a~0b', '/a~0b/c~1d']);
    expect(pointerToken('~/')).toBe('~0~1');
  });

  it('escapes the key of a refused unknown property through the real pipe', async () => {
    const pipe = createValidationPipe();
    const err = await pipe
      .transform({ n: 1, 'x/y~z': 1 }, { type: 'body', metatype: Inner })
      .then(() => null)
      .catch((e: unknown) => e as DomainError);
    expect(err).toBeInstanceOf(DomainError);
    expect(err!.errors.map((e) => e.pointer)).toEqual(['/x~1y~0z']);
  });

  it('keeps a pointer within its documented 512 characters by naming the nearest ancestor that fits', () => {
    const long = 'k'.repeat(600);
    expect(boundedPointer(`/items/0/${long}`)).toBe('/items/0');
    expect(boundedPointer(`/${long}`)).toBe('');
    expect(boundedPointer('/a/b')).toBe('/a/b');
  });
});
