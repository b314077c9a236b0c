import { DomainError, FieldError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { reasonRequired } from './case-access';
import type { ActionInput } from './engine-types';
import { workOrderInputProblems } from './work-order-effects';
import type { ActionSpec } from './workflow-spec';

export { SATISFACTION_LEVELS } from './work-order-effects';

export const SUSPEND_PROCEDURES = ['hearing', 'testing', 'expert_review', 'other'] as const;
export const DELIVERY_METHODS = ['online', 'post', 'window'] as const;
export const MAX_REASON = 1000;

export function invalid(errors: FieldError[]): DomainError {
  return new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);
}

/** Required-input checks per effect, before anything is written. */
export function checkInput(action: ActionSpec, input: ActionInput): void {
  const errors: FieldError[] = [];
  const need = (pointer: string, message: string) => errors.push({ pointer, code: 'isDefined', message });
  const reason = input.reason?.trim() ?? '';
  const effect = action.effect;
  if (reasonRequired(action, input.decision) && !reason)
    need('/reason', 'a reason is required for this action');
  if (input.reason && input.reason.length > MAX_REASON)
    errors.push({
      pointer: '/reason',
      code: 'maxLength',
      message: `reason must be at most ${MAX_REASON} characters`,
    });
  if (effect === 'request_supplement' && !input.items?.length)
    need('/items', 'list every missing or faulty item at once (一次性告知)');
  if (effect === 'transfer' && !input.organisationId)
    need('/organisationId', 'the receiving unit is required');
  if (effect === 'suspend' && !SUSPEND_PROCEDURES.includes(input.procedure as never))
    need('/procedure', `procedure must be one of ${SUSPEND_PROCEDURES.join(', ')}`);
  if (
    effect === 'request_extension' &&
    !(Number.isInteger(input.amount) && input.amount! >= 1 && input.amount! <= 365)
  )
    need('/amount', 'amount must be a whole number from 1 to 365');
  if (effect === 'decide' && input.decision !== 'approved' && input.decision !== 'denied')
    need('/decision', 'decision must be approved or denied');
  if (effect === 'deliver' && !DELIVERY_METHODS.includes(input.method as never))
    need('/method', `method must be one of ${DELIVERY_METHODS.join(', ')}`);
  errors.push(...workOrderInputProblems({ action, input }));
  if (errors.length) throw invalid(errors);
}
