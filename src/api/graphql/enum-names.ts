import {
  GraphQLDirective,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLUnionType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isListType,
  isNonNullType,
  isObjectType,
  isUnionType,
  type GraphQLEnumValueConfigMap,
  type GraphQLFieldConfigArgumentMap,
  type GraphQLFieldConfigMap,
  type GraphQLNamedType,
  type GraphQLType,
} from 'graphql';

const NAME = /^[_A-Za-z][_0-9A-Za-z]*$/;

/**
 * The GraphQL name of an enum value: its REST string (`supplement_required`, `real_name`), so a
 * client reads the same word on both transports. The one REST form that is not a GraphQL name, a
 * descending sort key (`-createdAt`), becomes `createdAt_desc`. Anything else cannot be named and
 * stops the boot, so a new enum cannot slip in under another rule.
 */
export function graphqlEnumName(value: string): string {
  const name = value.startsWith('-') ? `${value.slice(1)}_desc` : value;
  if (!NAME.test(name) || ['true', 'false', 'null'].includes(name))
    throw new Error(`enum value ${JSON.stringify(value)} has no GraphQL name under the REST-string rule`);
  return name;
}

/**
 * Renames every enum value of the schema after its internal value (the REST string). Nest's
 * registerEnumType names values after the TypeScript keys (`SupplementRequired`); values
 * themselves are unchanged, so resolvers and services still see `ApplicationStatus.SupplementRequired`.
 * Rebuilds the type graph the way graphql's lexicographicSortSchema does, since types reference
 * each other by object.
 */
export function restEnumNames(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  const types = new Map<string, GraphQLNamedType>();
  for (const type of config.types) types.set(type.name, rebuild(type));

  const named = <T extends GraphQLNamedType>(type: T): T => types.get(type.name) as T;
  const maybe = <T extends GraphQLNamedType>(type: T | null | undefined): T | null | undefined =>
    type && named(type);
  function replace(type: GraphQLType): GraphQLType {
    if (isListType(type)) return new GraphQLList(replace(type.ofType));
    if (isNonNullType(type)) return new GraphQLNonNull(replace(type.ofType) as never);
    return named(type);
  }
  const args = (map: GraphQLFieldConfigArgumentMap): GraphQLFieldConfigArgumentMap =>
    Object.fromEntries(Object.entries(map).map(([k, a]) => [k, { ...a, type: replace(a.type) as never }]));
  const fields = (map: GraphQLFieldConfigMap<unknown, unknown>): GraphQLFieldConfigMap<unknown, unknown> =>
    Object.fromEntries(
      Object.entries(map).map(([k, f]) => [
        k,
        { ...f, type: replace(f.type) as never, args: f.args && args(f.args) },
      ]),
    );

  function rebuild(type: GraphQLNamedType): GraphQLNamedType {
    if (isIntrospectionType(type)) return type;
    if (isEnumType(type)) {
      const c = type.toConfig();
      const values: GraphQLEnumValueConfigMap = {};
      for (const v of Object.values(c.values)) {
        if (typeof v.value !== 'string') throw new Error(`enum ${c.name} has a non-string value`);
        // astNode still names the TypeScript key; printSchema and execution use the config name
        values[graphqlEnumName(v.value)] = { ...v, astNode: undefined };
      }
      return new GraphQLEnumType({ ...c, values });
    }
    if (isObjectType(type)) {
      const c = type.toConfig();
      return new GraphQLObjectType({
        ...c,
        interfaces: () => c.interfaces.map(named),
        fields: () => fields(c.fields),
      });
    }
    if (isInterfaceType(type)) {
      const c = type.toConfig();
      return new GraphQLInterfaceType({
        ...c,
        interfaces: () => c.interfaces.map(named),
        fields: () => fields(c.fields),
      });
    }
    if (isUnionType(type)) {
      const c = type.toConfig();
      return new GraphQLUnionType({ ...c, types: () => c.types.map(named) });
    }
    if (isInputObjectType(type)) {
      const c = type.toConfig();
      return new GraphQLInputObjectType({
        ...c,
        fields: () =>
          Object.fromEntries(
            Object.entries(c.fields).map(([k, f]) => [k, { ...f, type: replace(f.type) as never }]),
          ),
      });
    }
    return type; // scalars reference nothing
  }

  return new GraphQLSchema({
    ...config,
    types: [...types.values()],
    query: maybe(config.query),
    mutation: maybe(config.mutation),
    subscription: maybe(config.subscription),
    directives: config.directives.map((d) => {
      const c = d.toConfig();
      return new GraphQLDirective({ ...c, args: args(c.args) });
    }),
  });
}
