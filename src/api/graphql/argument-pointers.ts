import type { GraphQLResolveInfo } from 'graphql';
import type { FieldError } from '../errors/domain-error';

/**
 * Field-error pointers of a GraphQL answer, relative to the field's arguments as REST's are to
 * the body. A pointer whose first segment names an argument is kept (`/id`; `/input/title` from
 * the validation pipe, see validation.ts). Any other one was made by a service against the REST
 * body (`/newPassword`, `/draft/form/required`), which GraphQL passes as the `input` argument, so
 * it moves under `/input`. Fields without an `input` argument keep their pointers as they are.
 */
export function pointersUnderArguments(
  errors: readonly FieldError[],
  info: GraphQLResolveInfo | undefined,
): FieldError[] {
  const field = info?.parentType?.getFields()[info.fieldName];
  const names = new Set(field?.args.map((a) => a.name) ?? []);
  if (!names.has('input')) return [...errors];
  return errors.map((e) => {
    const first = (e.pointer.split('/')[1] ?? '').replace(/~1/g, '/').replace(/~0/g, '~');
    return e.pointer && names.has(first) ? e : { ...e, pointer: `/input${e.pointer}` };
  });
}
