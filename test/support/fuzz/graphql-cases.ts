import {
  getNamedType,
  GraphQLArgument,
  GraphQLField,
  GraphQLInputType,
  GraphQLSchema,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { EDGE_DATES, namedHostileCursors } from './openapi-cases';
import type { Rng } from './prng';

export interface GqlCase {
  /** Query.x or Mutation.y */
  field: string;
  label: string;
  query: string;
  variables: Record<string, unknown>;
}

const HUGE = 100 * 1024;

/** A value that coerces for `type`, so a case can mutate one argument and keep the others plausible. */
export function plausible(type: GraphQLInputType, rng: Rng, depth = 0): unknown {
  if (isNonNullType(type)) return plausible(type.ofType, rng, depth);
  if (isListType(type)) return [plausible(type.ofType, rng, depth + 1)];
  if (isEnumType(type)) return rng.pick(type.getValues()).name;
  if (isScalarType(type)) {
    switch (type.name) {
      case 'Int':
        return rng.between(1, 20);
      case 'Float':
        return rng.between(1, 20);
      case 'Boolean':
        return rng.chance(0.5);
      case 'ID':
        return rng.uuid();
      case 'DateTime':
      case 'DateTimeISO':
        return new Date(Date.UTC(2025, rng.int(12), 10)).toISOString();
      case 'Date':
        return new Date(Date.UTC(2025, rng.int(12), 10)).toISOString().slice(0, 10);
      case 'JSONObject':
        return {};
      default:
        return `fz${rng.word(8)}`;
    }
  }
  if (isInputObjectType(type)) {
    if (depth > 4) return {};
    const out: Record<string, unknown> = {};
    for (const f of Object.values(type.getFields())) {
      if (isNonNullType(f.type) || rng.chance(0.5)) out[f.name] = plausible(f.type, rng, depth + 1);
    }
    return out;
  }
  return null;
}

/** Hostile values for one argument: wrong JSON types, out-of-range numbers, oversized and odd strings. */
export function hostile(type: GraphQLInputType, rng: Rng): { label: string; value: unknown }[] {
  const named = getNamedType(type);
  const wrong = [
    { label: 'object', value: { $gt: '' } },
    { label: 'array', value: ['x', 1] },
    { label: 'null', value: null },
  ];
  if (isListType(isNonNullType(type) ? type.ofType : type)) {
    return [
      ...wrong,
      {
        label: '10 000 items',
        value: Array.from({ length: 10_000 }, () => plausible(named as GraphQLInputType, rng)),
      },
    ];
  }
  if (isInputObjectType(named)) {
    const valid = plausible(named, rng) as Record<string, unknown>;
    const fields = Object.values(named.getFields());
    const f = fields.length ? rng.pick(fields) : null;
    return [
      { label: 'string for input object', value: 'x' },
      { label: 'unknown input field', value: { ...valid, zz_unknown: 1 } },
      { label: 'all fields missing', value: {} },
      ...(f
        ? hostile(f.type, rng).map((h) => ({
            label: `${f.name}: ${h.label}`,
            value: { ...valid, [f.name]: h.value },
          }))
        : []),
    ];
  }
  if (isEnumType(named))
    return [...wrong, { label: 'unknown enum value', value: 'NOT_A_VALUE' }, { label: 'number', value: 3 }];
  if (!isLeafType(named)) return wrong;
  switch (named.name) {
    case 'Int':
    case 'Float':
      return [
        ...wrong,
        { label: 'string', value: 'abc' },
        { label: '2^40', value: 2 ** 40 },
        { label: '-1', value: -1 },
        { label: '0', value: 0 },
        { label: '100000', value: 100000 },
        { label: '1.5', value: 1.5 },
      ];
    case 'Boolean':
      return [...wrong, { label: 'string', value: 'yes' }, { label: 'number', value: 1 }];
    default:
      return [
        ...wrong,
        { label: 'number', value: 12345 },
        { label: `${HUGE / 1024} KB string`, value: 'x'.repeat(HUGE) },
        { label: 'garbage', value: rng.pick(['x', '../../etc', '\u0000', '名字🙂', "' OR 1=1--", '   ']) },
        { label: 'empty', value: '' },
        { label: 'NUL character', value: 'a\u0000b' },
        { label: 'edge date', value: rng.pick(EDGE_DATES) },
      ];
  }
}

const selectionOf = (field: GraphQLField<unknown, unknown>) =>
  isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';

/** The operation calling `field` with every argument as a variable, except those given as literals. */
function operationText(
  kind: 'query' | 'mutation',
  field: GraphQLField<unknown, unknown>,
  literals: Record<string, string> = {},
): string {
  const args = field.args;
  const defs = args
    .filter((a) => !(a.name in literals))
    .map((a) => `$${a.name}: ${a.type.toString()}`)
    .join(', ');
  const call = args.map((a) => `${a.name}: ${literals[a.name] ?? `$${a.name}`}`).join(', ');
  return `${kind} Fuzz${defs ? `(${defs})` : ''} { ${field.name}${call ? `(${call})` : ''}${selectionOf(field)} }`;
}

/** Up to `max` cases per root field: one argument hostile, the others plausible. */
export function graphqlCases(schema: GraphQLSchema, rng: Rng, max: number): GqlCase[] {
  const out: GqlCase[] = [];
  const roots: ['query' | 'mutation', ReturnType<GraphQLSchema['getQueryType']>][] = [
    ['query', schema.getQueryType()],
    ['mutation', schema.getMutationType()],
  ];
  for (const [kind, root] of roots) {
    if (!root) continue;
    for (const field of Object.values(root.getFields())) {
      const query = operationText(kind, field);
      const base = (): Record<string, unknown> =>
        Object.fromEntries(field.args.map((a: GraphQLArgument) => [a.name, plausible(a.type, rng)]));
      const cases: GqlCase[] = [
        { field: `${root.name}.${field.name}`, label: 'plausible', query, variables: base() },
      ];
      for (const arg of field.args) {
        for (const h of hostile(arg.type, rng)) {
          cases.push({
            field: `${root.name}.${field.name}`,
            label: `${arg.name}: ${h.label}`,
            query,
            variables: { ...base(), [arg.name]: h.value },
          });
        }
        if (arg.name === 'after') {
          for (const after of namedHostileCursors(rng, 3)) {
            cases.push({
              field: `${root.name}.${field.name}`,
              label: `after: named hostile cursor ${after}`,
              query,
              variables: { ...base(), after },
            });
          }
        }
        cases.push({
          field: `${root.name}.${field.name}`,
          label: `${arg.name} missing`,
          query,
          variables: { ...base(), [arg.name]: undefined },
        });
        if (isScalarType(getNamedType(arg.type)) && ['String', 'ID'].includes(getNamedType(arg.type).name)) {
          // A GraphQL escape in the document itself: no JSON-level check sees this NUL.
          const literal = isListType(isNonNullType(arg.type) ? arg.type.ofType : arg.type)
            ? '["a\\u0000b"]'
            : '"a\\u0000b"';
          cases.push({
            field: `${root.name}.${field.name}`,
            label: `${arg.name}: NUL in an inline literal`,
            query: operationText(kind, field, { [arg.name]: literal }),
            variables: { ...base(), [arg.name]: undefined },
          });
        }
      }
      cases.push({
        field: `${root.name}.${field.name}`,
        label: 'unknown variable',
        query,
        variables: { ...base(), zz: 1 },
      });
      out.push(cases[0], ...rng.sample(cases.slice(1), max - 1));
    }
  }
  return out;
}
