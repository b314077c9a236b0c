import { DomainError } from './domain-error';
import { ErrorCode, problemType, statusOf } from './error-code';
import { declareErrorCodes, declareTerms, errorRegistry, registerErrorCodes } from './error-registry';
import { localize } from './messages';
import { renderProblem } from './problem';

const SpecError = declareErrorCodes({
  Locked: {
    code: 'SPEC_LOCKED',
    status: 423,
    'zh-CN': { title: '已锁定', detail: '{what}已被锁定。' },
    en: { title: 'Locked', detail: '{what} is locked.' },
  },
});

describe('error code registry', () => {
  it("gives a module's code its status, type URI and texts in both languages", () => {
    expect(SpecError.Locked).toBe('SPEC_LOCKED');
    expect(statusOf(SpecError.Locked)).toBe(423);
    expect(problemType(SpecError.Locked)).toBe('https://onewindow.dev/problems/spec-locked');
    expect(localize('zh-CN', SpecError.Locked, { what: '档案' })).toEqual({
      title: '已锁定',
      detail: '档案已被锁定。',
    });
    expect(localize('en', SpecError.Locked, { what: 'The file' })).toEqual({
      title: 'Locked',
      detail: 'The file is locked.',
    });
    const err = new DomainError(SpecError.Locked, { what: 'x' });
    expect(err.status).toBe(423);
  });

  it('renders a declared code as problem+json like a built-in one', () => {
    const body = renderProblem(
      new DomainError(SpecError.Locked, { what: 'The file' }),
      'en',
      '/v1/x',
      'req-1',
    );
    expect(body).toMatchObject({
      type: 'https://onewindow.dev/problems/spec-locked',
      code: 'SPEC_LOCKED',
      status: 423,
      title: 'Locked',
      detail: 'The file is locked.',
    });
  });

  it('keeps built-in codes on their own tables', () => {
    expect(statusOf(ErrorCode.NotFound)).toBe(404);
    expect(errorRegistry.has(ErrorCode.NotFound)).toBe(false);
  });

  it('refuses a declaration without both languages, with a non-error status, or redeclared differently', () => {
    const en = { title: 'T', detail: 'D' };
    expect(() =>
      registerErrorCodes([{ code: 'SPEC_X', status: 409, 'zh-CN': { title: '', detail: '' }, en }]),
    ).toThrow(/zh-CN title and detail/);
    expect(() => registerErrorCodes([{ code: 'SPEC_Y', status: 200, 'zh-CN': en, en }])).toThrow(
      /not an error status/,
    );
    expect(() => registerErrorCodes([{ code: 'spec-z', status: 400, 'zh-CN': en, en }])).toThrow(
      /SCREAMING_SNAKE/,
    );
    expect(() => registerErrorCodes([{ code: 'SPEC_LOCKED', status: 409, 'zh-CN': en, en }])).toThrow(
      /declared twice/,
    );
  });

  it("names a module's resource in both languages in not-found messages, and refuses a conflicting name", () => {
    declareTerms({ 'spec room': { 'zh-CN': '会议室', en: 'meeting room' } });
    expect(localize('zh-CN', ErrorCode.NotFound, { resource: 'spec room' }).detail).toContain('会议室');
    expect(localize('en', ErrorCode.NotFound, { resource: 'spec room' }).detail).toContain('meeting room');
    expect(() => declareTerms({ 'spec room': { 'zh-CN': '房间', en: 'room' } })).toThrow(/declared twice/);
    expect(() => declareTerms({ 'spec hall': { 'zh-CN': '', en: 'hall' } })).toThrow(/zh-CN and an en/);
  });
});
