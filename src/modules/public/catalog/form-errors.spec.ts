import { untranslatedCjk, untranslatedLatin } from '../../../api/errors/untranslated';
import { FORM_TEXT, formErrors } from './form-errors';
import { compileFormSchema } from './form-schema';

describe('form error messages', () => {
  it('say the same things in both languages, each fully translated', () => {
    expect(Object.keys(FORM_TEXT.en).sort()).toEqual(Object.keys(FORM_TEXT['zh-CN']).sort());
    const zh = Object.entries(FORM_TEXT['zh-CN']).filter(([, t]) => untranslatedLatin(t).length);
    const en = Object.entries(FORM_TEXT.en).filter(([, t]) => untranslatedCjk(t).length);
    expect(zh).toEqual([]);
    expect(en).toEqual([]);
  });

  it('refuse an x-message that is not a per-language text (checked when the form is saved)', () => {
    const form = (xMessage: unknown) => ({
      type: 'object',
      properties: { code: { type: 'string', pattern: '^[0-9]{6}$', 'x-message': xMessage } },
    });
    expect(compileFormSchema(form({ 'zh-CN': '须为 6 位数字', en: 'Six digits' }), '/form').errors).toEqual(
      [],
    );
    for (const bad of ['须为 6 位数字', { en: 'Six digits' }, { 'zh-CN': '' }, { 'zh-CN': 'x', fr: 'y' }]) {
      const { validate, errors } = compileFormSchema(form(bad), '/form');
      expect(validate).toBeNull();
      expect(errors[0]).toMatchObject({ code: 'formSchema' });
    }
  });
});

describe('form error pointers (RFC 6901)', () => {
  it('escapes ~ and / in the field names they point at', () => {
    const compiled = compileFormSchema(
      {
        type: 'object',
        required: ['a/b', 'c~d'],
        properties: { 'a/b': { type: 'string', maxLength: 5 }, 'c~d': { type: 'string', maxLength: 5 } },
        additionalProperties: false,
      },
      '/form',
    );
    expect(compiled.errors).toEqual([]);
    const validate = compiled.validate!;
    expect(validate({ 'a/b': 5, 'x/y~z': 'extra' })).toBe(false);
    const pointers = formErrors(validate.errors, 'en').map((e) => [e.pointer, e.code]);
    expect(pointers).toEqual(
      expect.arrayContaining([
        ['/c~0d', 'form.required'],
        ['/x~1y~0z', 'form.additionalProperties'],
        ['/a~1b', 'form.type'],
      ]),
    );
  });
});
