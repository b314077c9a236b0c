import { ParseUUIDPipe } from '@nestjs/common';
import { DomainError } from '../errors/domain-error';
import { ErrorCode } from '../errors/error-code';

/** `@Param('id', UuidParam)`: a malformed id is a 400 naming the parameter, never a database error. */
export const UuidParam = new ParseUUIDPipe({
  exceptionFactory: () =>
    new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
      { pointer: '/id', code: 'isUuid', message: 'id must be a UUID' },
    ]),
});
