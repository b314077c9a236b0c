import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCode } from './error-code';
import { errorRegistry } from './error-registry';
import { FIELD_ZH, localize, MESSAGES, TERMS } from './messages';
import { untranslatedCjk, untranslatedLatin } from './untranslated';

/** Every message of a table as [where, text], for readable failures. */
const entries = (table: Record<string, unknown>, prefix: string): Array<[string, string]> =>
  Object.entries(table).flatMap(([k, v]) =>
    typeof v === 'string'
      ? [[`${prefix}.${k}`, v] as [string, string]]
      : entries(v as Record<string, unknown>, `${prefix}.${k}`),
  );

const zh = [
  ...entries(MESSAGES['zh-CN'], 'MESSAGES.zh-CN'),
  ...entries(FIELD_ZH, 'FIELD_ZH'),
  ...Object.entries(TERMS).map(([k, v]): [string, string] => [`TERMS.${k}`, v['zh-CN']]),
];
const en = [
  ...entries(MESSAGES.en, 'MESSAGES.en'),
  ...Object.entries(TERMS).map(([k, v]): [string, string] => [`TERMS.${k}`, v.en]),
];

const SRC = join(__dirname, '..', '..');

/** Every source file of src (specs left out) with its text. */
function sources(dir: string = SRC): Array<[string, string]> {
  return readdirSync(dir).flatMap((name): Array<[string, string]> => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith('.ts') && !name.endsWith('.spec.ts') ? [[path, readFileSync(path, 'utf8')]] : [];
  });
}

/** The resources src passes to notFound('…'): each one is shown to callers inside a message. */
function notFoundResources(): string[] {
  const found = new Set<string>();
  for (const [, text] of sources())
    for (const m of text.matchAll(/notFound\('([a-z][a-z_ ]*)'\)/g)) found.add(m[1]);
  return [...found].sort();
}

/** Loads every file that declares terms (modules name their own resources with declareTerms). */
async function loadDeclaredTerms(): Promise<void> {
  for (const [path, text] of sources())
    if (/\bdeclareTerms\(\{/.test(text) && !path.endsWith('error-registry.ts')) await import(path);
}

describe('message catalogues are fully translated', () => {
  it('zh-CN messages hold no Latin words beyond the allowlisted technical tokens', () => {
    const offenders = zh
      .map(([where, text]) => [where, untranslatedLatin(text)] as const)
      .filter(([, words]) => words.length);
    expect(offenders).toEqual([]);
  });

  it('en messages hold no Chinese characters', () => {
    const offenders = en
      .map(([where, text]) => [where, untranslatedCjk(text)] as const)
      .filter(([, chars]) => chars.length);
    expect(offenders).toEqual([]);
  });

  it('every error code has a title and detail in both languages', () => {
    for (const code of Object.values(ErrorCode)) {
      expect(MESSAGES['zh-CN'][code]?.title).toBeTruthy();
      expect(MESSAGES.en[code]?.title).toBeTruthy();
    }
  });

  it('every resource a service reports as not found has a name in both languages', async () => {
    await loadDeclaredTerms();
    const resources = notFoundResources();
    expect(resources.length).toBeGreaterThan(10);
    const named = (r: string) =>
      Object.hasOwn(TERMS, r) || (!!errorRegistry.term('zh-CN', r) && !!errorRegistry.term('en', r));
    expect(resources.filter((r) => !named(r))).toEqual([]);
    for (const r of resources) {
      expect(untranslatedCjk(localize('en', ErrorCode.NotFound, { resource: r }).detail)).toEqual([]);
      const { detail } = localize('zh-CN', ErrorCode.NotFound, { resource: r });
      expect(untranslatedLatin(detail)).toEqual([]);
    }
  });

  it('fills a not-found message with the resource name in the caller language', () => {
    expect(localize('zh-CN', ErrorCode.NotFound, { resource: 'service' }).detail).toBe(
      '未找到该事项，或您无权访问。',
    );
    expect(localize('en', ErrorCode.NotFound, { resource: 'service' }).detail).toBe(
      'The service was not found or you may not access it.',
    );
    expect(localize('zh-CN', ErrorCode.Conflict, { reason: 'duplicate' }).detail).toBe('该记录已存在。');
  });

  it('the checker itself catches the kinds of slip it is for', () => {
    expect(untranslatedLatin('未找到该service')).toEqual(['service']);
    expect(untranslatedLatin('须为 ISO 8601 日期，如 2025-06-01T08:00:00Z；{field} 见 errors')).toEqual([]);
    expect(untranslatedCjk('The 事项 was not found')).toEqual(['事', '项']);
  });
});
