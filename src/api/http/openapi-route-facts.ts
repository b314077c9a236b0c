import type { INestApplication } from '@nestjs/common';
import { INTERCEPTORS_METADATA, ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { ModulesContainer } from '@nestjs/core';
import { getMetadataStorage } from 'class-validator';
import { FileDownloadInterceptor } from './file-download';
import { UuidParam } from './uuid-param';

// What openapi-conventions.ts needs from the running app besides the swagger document: route
// metadata (UuidParam, downloads, query DTOs) and the class-validator rules the schemas must say.

/**
 * What the route metadata says and the swagger document cannot see (collectRouteFacts reads it from
 * the running app), by operationId.
 */
export interface RouteFacts {
  /** path parameters checked by the UuidParam pipe (a malformed one is 400) */
  uuidPathParams: Map<string, Set<string>>;
  /** handlers that answer a stored file (@Download: ETag = sha256, no 304) */
  downloads: Set<string>;
  /**
   * By class (= component schema) name, the properties marked @IsOptional: class-validator lets
   * null through them as well as absence, so the request schema must say null.
   */
  optionalProps: Map<string, Set<string>>;
  /** By class name, property groups of which exactly one must be given (@ApiExactlyOneOf) */
  exactlyOneOf: Map<string, string[]>;
  /** By class name, what class-validator checks per property that the schema must say too */
  rules: Map<string, Map<string, PropertyRules>>;
  /** By operationId, the class of its @Query() DTO (its rules apply to the query parameters) */
  queryClasses: Map<string, string>;
}

/** class-validator rules with a JSON Schema twin (the swagger plugin copies only literal arguments). */
export interface PropertyRules {
  pattern?: string;
  uuid?: boolean;
  integer?: boolean;
  /** the rule applies to each item of an array */
  each?: boolean;
}

function rulesOf(metas: { name?: string; propertyName: string; constraints?: unknown[]; each?: boolean }[]) {
  const out = new Map<string, PropertyRules>();
  for (const m of metas) {
    const r = out.get(m.propertyName) ?? {};
    const re = m.constraints?.[0];
    // Only flagless patterns: a `u` pattern (\p{L}) reads differently to a non-Unicode regex engine,
    // which JSON Schema tools may use (Spectral's example check does).
    if (m.name === 'matches' && re instanceof RegExp && re.flags === '') r.pattern = re.source;
    else if (m.name === 'isUuid') r.uuid = true;
    else if (m.name === 'isInt') r.integer = true;
    else continue;
    if (m.each) r.each = true;
    out.set(m.propertyName, r);
  }
  return out;
}

const EXACTLY_ONE_OF = 'onewindow:exactly-one-of';

/**
 * Says in the request schema that exactly one of the properties must be given (not null), as the
 * service checks (e.g. contactOf): a `oneOf` of one `required` branch per property. Inherited.
 */
export const ApiExactlyOneOf =
  (...props: string[]): ClassDecorator =>
  (target) =>
    Reflect.defineMetadata(EXACTLY_ONE_OF, props, target);

/** The extension a controller sets to give each request content type its own schema (an upload, say). */
export const CONTENT_SCHEMAS_EXTENSION = 'x-content-schemas';

/** Reads RouteFacts off every controller, with operationIds as openapi.ts names them. */
export function collectRouteFacts(app: INestApplication): RouteFacts {
  const facts: RouteFacts = {
    uuidPathParams: new Map(),
    downloads: new Set(),
    optionalProps: new Map(),
    exactlyOneOf: new Map(),
    rules: new Map(),
    queryClasses: new Map(),
  };
  const storage = getMetadataStorage();
  type Class = abstract new (...args: never[]) => unknown;
  const classes = new Set<Class>(
    (storage as unknown as { validationMetadatas: Map<Class, unknown> }).validationMetadatas.keys(),
  );
  for (const mod of app.get(ModulesContainer).values()) {
    for (const wrapper of mod.controllers.values()) {
      const type = wrapper.metatype as (new (...args: unknown[]) => unknown) | null;
      if (!type || typeof type !== 'function') continue;
      for (const method of Object.getOwnPropertyNames(type.prototype)) {
        if (method === 'constructor') continue;
        const operationId = `${type.name.replace(/Controller$/, '')}_${method}`;
        const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, method) ?? {}) as Record<
          string,
          { data?: unknown; pipes?: unknown[] }
        >;
        for (const [key, arg] of Object.entries(args)) {
          if (key.split(':')[0] !== String(RouteParamtypes.PARAM) || typeof arg.data !== 'string') continue;
          if (!arg.pipes?.includes(UuidParam)) continue;
          const names = facts.uuidPathParams.get(operationId) ?? new Set<string>();
          facts.uuidPathParams.set(operationId, names.add(arg.data));
        }
        // Body DTOs without rules of their own (a subclass) are known only from their routes.
        const proto = type.prototype as object;
        const paramTypes = (Reflect.getMetadata('design:paramtypes', proto, method) ?? []) as unknown[];
        for (const [key, arg] of Object.entries(args)) {
          const body = paramTypes[Number(key.split(':')[1])];
          const kind = key.split(':')[0];
          const whole = arg.data === undefined;
          if (typeof body !== 'function' || !whole) continue;
          if (kind === String(RouteParamtypes.BODY)) classes.add(body as Class);
          if (kind === String(RouteParamtypes.QUERY)) {
            classes.add(body as Class);
            facts.queryClasses.set(operationId, (body as Class).name);
          }
        }
        const handler = (proto as Record<string, unknown>)[method];
        const interceptors = (
          typeof handler === 'function' ? Reflect.getMetadata(INTERCEPTORS_METADATA, handler) : undefined
        ) as unknown[] | undefined;
        if (interceptors?.includes(FileDownloadInterceptor)) facts.downloads.add(operationId);
      }
    }
  }
  for (const cls of classes) {
    const metas = storage.getTargetValidationMetadatas(cls, '', true, false);
    const rules = rulesOf(metas);
    if (rules.size) facts.rules.set(cls.name, rules);
    const optional = metas.filter((m) => m.name === 'isOptional').map((m) => m.propertyName);
    if (optional.length) facts.optionalProps.set(cls.name, new Set(optional));
    const exclusive = Reflect.getMetadata(EXACTLY_ONE_OF, cls) as string[] | undefined;
    if (exclusive) facts.exactlyOneOf.set(cls.name, exclusive);
  }
  return facts;
}
