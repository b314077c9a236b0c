import {
  execute,
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLList,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  printSchema,
  validateSchema,
} from 'graphql';
import { graphqlEnumName, restEnumNames } from './enum-names';

enum Status {
  SupplementRequired = 'supplement_required',
  Draft = 'draft',
}
enum Sort {
  DueAt = 'dueAt',
  NewestFirst = '-createdAt',
}

/** A schema as Nest builds it: enum values named after the TypeScript keys. */
function nestLikeSchema(seen: unknown[]): GraphQLSchema {
  const keys = (e: object) =>
    Object.fromEntries(Object.entries(e).map(([k, v]) => [k, { value: v as string }]));
  const StatusType = new GraphQLEnumType({ name: 'Status', values: keys(Status) });
  const SortType = new GraphQLEnumType({ name: 'Sort', values: keys(Sort) });
  const Filter = new GraphQLInputObjectType({ name: 'Filter', fields: { status: { type: StatusType } } });
  const Item = new GraphQLObjectType({
    name: 'Item',
    fields: { status: { type: new GraphQLNonNull(StatusType) }, name: { type: GraphQLString } },
  });
  return new GraphQLSchema({
    query: new GraphQLObjectType({
      name: 'Query',
      fields: {
        items: {
          type: new GraphQLList(Item),
          args: { filter: { type: Filter }, sort: { type: SortType, defaultValue: Sort.DueAt } },
          resolve: (_src, args) => {
            seen.push(args);
            return [{ status: Status.SupplementRequired, name: 'a' }];
          },
        },
      },
    }),
  });
}

describe('REST-string enum names', () => {
  it('names a value after its REST string; a descending sort key -x becomes x_desc', () => {
    expect(graphqlEnumName('supplement_required')).toBe('supplement_required');
    expect(graphqlEnumName('dueAt')).toBe('dueAt');
    expect(graphqlEnumName('-createdAt')).toBe('createdAt_desc');
  });

  it('refuses a value that cannot be a GraphQL name, so no enum slips in under another rule', () => {
    for (const bad of ['two words', 'a-b', '1st', 'true', 'null', ''])
      expect(() => graphqlEnumName(bad)).toThrow();
  });

  it('renames every enum of a schema, keeping values, resolvers, arguments and defaults', async () => {
    const seen: unknown[] = [];
    const schema = restEnumNames(nestLikeSchema(seen));
    expect(validateSchema(schema)).toEqual([]);
    const sdl = printSchema(schema);
    expect(sdl).toContain('enum Status {\n  supplement_required\n  draft\n}');
    expect(sdl).toContain('enum Sort {\n  dueAt\n  createdAt_desc\n}');
    expect(sdl).toContain('items(filter: Filter, sort: Sort = dueAt): [Item]');
    expect(sdl).not.toMatch(/SupplementRequired|NewestFirst/);

    const result = await execute({
      schema,
      document: parse(
        '{ items(filter: { status: supplement_required }, sort: createdAt_desc) { status name } }',
      ),
    });
    expect(result).toEqual({ data: { items: [{ status: 'supplement_required', name: 'a' }] } });
    // the resolver still receives the internal values (the TypeScript enum's)
    expect(seen).toEqual([{ filter: { status: Status.SupplementRequired }, sort: Sort.NewestFirst }]);

    const old = await execute({ schema, document: parse('{ items(sort: NewestFirst) { name } }') });
    expect(old.errors?.[0]?.message).toMatch(/NewestFirst/);
  });
});
