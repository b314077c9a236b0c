import { loadConfig } from '../../../config/config';
import { PersonalDataService } from '../../platform/identity/personal-data/personal-data.service';
import { openForm, personalPart, sealForm, staffForm } from './application-form';

const pd = new PersonalDataService(loadConfig({ NODE_ENV: 'test' }));
const SCHEMA = {
  type: 'object',
  properties: {
    idNumber: { type: 'string', 'x-personal': 'nationalId' },
    phone: { type: 'string', 'x-personal': 'phone' },
    shopArea: { type: 'number' },
  },
};
const FORM = { idNumber: '110101199003071234', phone: '13812341234', shopArea: 12, note: '13900001111' };

describe('application form sealing', () => {
  it('keeps only unmarked answers plain and the marked ones in one envelope', () => {
    const sealed = sealForm(pd, SCHEMA, FORM);
    expect(sealed.formData).toEqual({ shopArea: 12, note: '13900001111' });
    expect(sealed.formPersonal).toMatch(/^v1\./);
    expect(sealed.formPersonal).not.toContain('1381234');
    expect(openForm(pd, sealed)).toEqual(FORM);
  });

  it('masks marked fields by kind for staff, unmasks only those named, and masks plain identifiers by shape', () => {
    const sealed = sealForm(pd, SCHEMA, FORM);
    expect(staffForm(pd, sealed)).toEqual({
      idNumber: '110***********1234',
      phone: '138****1234',
      shopArea: 12,
      note: '139****1111',
    });
    expect(staffForm(pd, sealed, new Set(['phone']))).toMatchObject({ phone: '13812341234' });
  });

  it('keeps a field sealed once sealed, even under a schema without its mark', () => {
    const first = sealForm(pd, SCHEMA, FORM);
    const again = sealForm(pd, { type: 'object' }, openForm(pd, first), personalPart(pd, first));
    expect(again.formData).toEqual({ shopArea: 12, note: '13900001111' });
    expect(openForm(pd, again)).toEqual(FORM);
  });

  it('opens an envelope once per row object, and again when the row holds another envelope', () => {
    const row = { formData: {}, formPersonal: sealForm(pd, SCHEMA, FORM).formPersonal };
    const decrypt = jest.spyOn(pd, 'decrypt');
    try {
      expect(openForm(pd, row)).toEqual({ idNumber: FORM.idNumber, phone: FORM.phone });
      expect(personalPart(pd, row).phone).toEqual({ kind: 'phone', value: FORM.phone });
      expect(decrypt).toHaveBeenCalledTimes(1);
      // re-sealed (as a submission or an update does): the new envelope is opened, not the memo
      row.formPersonal = sealForm(pd, SCHEMA, { ...FORM, phone: '13700000000' }).formPersonal;
      expect(openForm(pd, row)).toMatchObject({ phone: '13700000000' });
      expect(decrypt).toHaveBeenCalledTimes(2);
      // another object with the same envelope is opened on its own
      expect(personalPart(pd, { formPersonal: row.formPersonal }).phone.value).toBe('13700000000');
      expect(decrypt).toHaveBeenCalledTimes(3);
    } finally {
      decrypt.mockRestore();
    }
  });

  it('writes no envelope when the form holds no personal answer', () => {
    expect(sealForm(pd, SCHEMA, { shopArea: 1 })).toEqual({ formData: { shopArea: 1 }, formPersonal: null });
    expect(openForm(pd, { formData: { shopArea: 1 }, formPersonal: null })).toEqual({ shopArea: 1 });
  });
});
