import { PipeTransform } from '@nestjs/common';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';

/** `@Param('seq', SeqParam)`: a leaf index is a non-negative safe integer, else 400 naming the parameter. */
export const SeqParam: PipeTransform<string, number> = {
  transform(value: string): number {
    const n = /^(0|[1-9][0-9]{0,15})$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(n)) {
      throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
        { pointer: '/seq', code: 'isInt', message: 'seq must be a non-negative integer' },
      ]);
    }
    return n;
  },
};
