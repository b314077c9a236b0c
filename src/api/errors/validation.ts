import { ValidationError, ValidationPipe } from '@nestjs/common';
import { buildMessage, isISO8601, ValidateBy, ValidationOptions } from 'class-validator';
import { DomainError, FieldError } from './domain-error';
import { ErrorCode } from './error-code';

/** Flattens class-validator's tree into JSON pointers, one entry per failed rule. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const pointer = `${parent}/${e.property}`;
    for (const [code, message] of Object.entries(e.constraints ?? {})) out.push({ pointer, code, message });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, pointer));
  }
  return out;
}

/** Strict by default: unknown fields are refused, types are converted only where declared. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const fieldErrors = flattenValidationErrors(errors);
      return new DomainError(ErrorCode.ValidationFailed, { count: fieldErrors.length }, fieldErrors);
    },
  });
}

/**
 * `@IsInstant()`: an ISO 8601 date or date-time that `new Date()` can read. class-validator's
 * IsISO8601 also passes forms Date cannot parse (basic `20250601`, week `2025-W01-1`, ordinal
 * `2025-152`, `T12Z`); services turned them into Invalid Date, and the query or insert into a 500.
 */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value: unknown) =>
          typeof value === 'string' && isISO8601(value, { strict: true }) && !Number.isNaN(Date.parse(value)),
        defaultMessage: buildMessage(
          (each) => `${each}$property must be an ISO 8601 date-time, e.g. 2025-06-01T08:00:00Z`,
          options,
        ),
      },
    },
    options,
  );
}
