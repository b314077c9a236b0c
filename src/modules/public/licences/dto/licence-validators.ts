import { ValidateBy, ValidationOptions } from 'class-validator';
import { fieldsProblems, isCalendarDate, maskHolderId, textProblem } from '../licence-rules';

// The licence DTOs' own class-validator rules, over the pure checks of licence-rules.ts.

/** Free text of 1…max characters: no control characters (newlines only if multiline), no national ID number. */
export function IsLicenceText(
  max: number,
  multiline = false,
  options?: ValidationOptions,
): PropertyDecorator {
  return ValidateBy(
    {
      name: 'licenceText',
      validator: {
        validate: (v: unknown) => textProblem(v, max, multiline) === null,
        defaultMessage: (a) => `$property ${textProblem(a?.value, max, multiline)?.message ?? 'is invalid'}`,
      },
    },
    options,
  );
}

/** At most 50 name → text entries; names ≤ 100 characters, values ≤ 500, no national ID numbers. */
export function IsLicenceFields(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'licenceFields',
      validator: {
        validate: (v: unknown) => fieldsProblems(v).length === 0,
        defaultMessage: (a) => fieldsProblems(a?.value)[0]?.message ?? 'fields are invalid',
      },
    },
    options,
  );
}

export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'calendarDate',
      validator: {
        validate: (v: unknown) => isCalendarDate(v),
        defaultMessage: () => '$property must be a real date written YYYY-MM-DD',
      },
    },
    options,
  );
}

export function IsHolderId(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'holderId',
      validator: {
        validate: (v: unknown) => typeof v === 'string' && maskHolderId(v) !== null,
        defaultMessage: () => '$property must be a valid national ID number or unified social credit code',
      },
    },
    options,
  );
}
