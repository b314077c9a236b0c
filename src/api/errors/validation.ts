import { ValidationError, ValidationPipe } from '@nestjs/common';
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
