import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { buildMessage, getMetadataStorage, isISO8601, ValidateBy, ValidationOptions } from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { DomainError, FieldError } from './domain-error';
import { ErrorCode } from './error-code';
import { installLinearKeys } from './linear-keys';

/** One reference token of a JSON Pointer (RFC 6901 §4): `~` → `~0`, `/` → `~1`. */
export const pointerToken = (key: string | number): string =>
  String(key).replace(/~/g, '~0').replace(/\//g, '~1');

/** The documented bound of an error's `pointer` (the Problem schema in openapi-conventions.ts). */
export const POINTER_MAX_LENGTH = 512;

/** A pointer within the bound: a longer one names its nearest ancestor that fits (the whole body at worst). */
export function boundedPointer(pointer: string): string {
  let p = pointer;
  while (p.length > POINTER_MAX_LENGTH) p = p.slice(0, p.lastIndexOf('/'));
  return p;
}

/** Flattens class-validator's tree into JSON pointers (RFC 6901), one entry per failed rule. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  const out: FieldError[] = [];
  for (const e of errors) {
    const pointer = boundedPointer(`${parent}/${pointerToken(e.property)}`);
    for (const [code, message] of Object.entries(e.constraints ?? {})) out.push({ pointer, code, message });
    if (e.children?.length) out.push(...flattenValidationErrors(e.children, pointer));
  }
  return out;
}

/**
 * The GraphQL argument a pipe validates, if it is one named argument (`@Args('input')`). Nest hands
 * `@Args` values to pipes as paramtype `body` (or GqlParamtype.ARGS, 3) with the argument's name as
 * `data`; REST bodies here are always validated whole (`@Body()`, no property name).
 */
function namedGraphqlArgument(metadata: ArgumentMetadata): string | undefined {
  const type = metadata.type as unknown;
  return (type === 'body' || type === 3) && typeof metadata.data === 'string' && metadata.data
    ? metadata.data
    : undefined;
}

/**
 * GraphQL validates each named argument on its own (`@Args('input')`), so its pointers are made
 * relative to the arguments, as REST's are to the body: `/input/title` where REST says `/title`
 * for the same bad input. `@Args()` (all arguments as one class) already points at `/first`.
 */
class PointingValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    try {
      return (await super.transform(value, metadata)) as unknown;
    } catch (err) {
      const arg = namedGraphqlArgument(metadata);
      if (!(err instanceof DomainError) || !arg) throw err;
      const prefix = `/${arg.replace(/~/g, '~0').replace(/\//g, '~1')}`;
      throw new DomainError(
        err.code,
        err.params,
        err.errors.map((e) => ({ ...e, pointer: `${prefix}${e.pointer}` })),
        err.headers,
      );
    }
  }
}

/** Strict by default: unknown fields are refused, types are converted only where declared. */
export function createValidationPipe(): ValidationPipe {
  memoiseValidationMetadata();
  installLinearKeys();
  return new PointingValidationPipe({
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
 * class-validator looks up a class's rules on every validate() call by scanning every registered
 * class for inheritance (`getTargetValidationMetadatas`, ~5 % of a cached read's CPU in a
 * profile), then groups them by property. Rules are registered by decorators when modules load and
 * never change afterwards, so both answers are memoised per class and options; registering a new
 * rule (a class loaded later) clears the memo. Installed once, by createValidationPipe().
 */
let memoised = false;

export function memoiseValidationMetadata(): void {
  if (memoised) return;
  memoised = true;
  const storage = getMetadataStorage();
  const lookup = storage.getTargetValidationMetadatas.bind(storage);
  const group = storage.groupByPropertyName.bind(storage);
  const add = storage.addValidationMetadata.bind(storage);
  let byTarget = new Map<unknown, Map<string, ValidationMetadata[]>>();
  let grouped = new WeakMap<ValidationMetadata[], Record<string, ValidationMetadata[]>>();
  storage.addValidationMetadata = (metadata: ValidationMetadata) => {
    byTarget = new Map();
    grouped = new WeakMap();
    add(metadata);
  };
  storage.getTargetValidationMetadatas = (target, schema, always, strictGroups, groups) => {
    const key = `${schema}\u0000${always}\u0000${strictGroups}\u0000${groups?.join('\u0001') ?? ''}`;
    let forTarget = byTarget.get(target);
    if (!forTarget) byTarget.set(target, (forTarget = new Map<string, ValidationMetadata[]>()));
    let found = forTarget.get(key);
    if (!found) forTarget.set(key, (found = lookup(target, schema, always, strictGroups, groups)));
    return found;
  };
  storage.groupByPropertyName = (metadata: ValidationMetadata[]) => {
    let found = grouped.get(metadata);
    if (!found) grouped.set(metadata, (found = group(metadata)));
    return found;
  };
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
