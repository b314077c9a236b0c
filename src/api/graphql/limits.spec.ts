import { ApolloServer } from '@apollo/server';
import { Test } from '@nestjs/testing';
import {
  Args,
  Field,
  GraphQLSchemaBuilderModule,
  GraphQLSchemaFactory,
  ObjectType,
  Query,
  ResolveField,
  Resolver,
} from '@nestjs/graphql';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { GraphQLSchema, lexicographicSortSchema, parse, printSchema } from 'graphql';
import { Connection, ConnectionArgs, toConnection } from './connection';
import { formatGraphqlError } from './format-error';
import { costLimitPlugin, depthAndAliasRules, QUERY_LIMITS, queryCost } from './limits';

// A small code-first schema shaped like the organisations tree the platform module will expose.
@ObjectType()
class Unit {
  @Field()
  id: string;

  @Field()
  name: string;

  @Field(() => Unit, { nullable: true })
  parent?: Unit;

  /** declared expensive: a computed statistic */
  @Field({ complexity: 50 })
  openCases: number;
}

@ObjectType()
class UnitConnection extends Connection(Unit) {}

@Resolver(() => Unit)
class UnitResolver {
  @Query(() => UnitConnection)
  units(@Args() _args: ConnectionArgs): UnitConnection {
    return toConnection([], { cursorOf: () => '', hasNextPage: false });
  }

  @ResolveField(() => UnitConnection)
  children(@Args() _args: ConnectionArgs): UnitConnection {
    return toConnection([], { cursorOf: () => '', hasNextPage: false });
  }
}

let schema: GraphQLSchema;

beforeAll(async () => {
  const moduleRef = await Test.createTestingModule({ imports: [GraphQLSchemaBuilderModule] }).compile();
  schema = await moduleRef.get(GraphQLSchemaFactory).create([UnitResolver]);
});

const cost = (query: string, variables: Record<string, unknown> = {}) =>
  queryCost(schema, parse(query), variables);

describe('Connection()', () => {
  it('builds Relay edges, pageInfo and totalCount with first capped by validation', () => {
    const sdl = printSchema(lexicographicSortSchema(schema));
    expect(sdl).toContain('type UnitConnection {\n  edges: [UnitEdge!]!\n  pageInfo: PageInfo!');
    expect(sdl).toMatch(/totalCount: Int\n/);
    expect(sdl).toContain('type UnitEdge {');
    expect(sdl).toMatch(/cursor: String!\n\s+node: Unit!/);
    expect(sdl).toContain('type PageInfo {');
    expect(sdl).toMatch(
      /units\(\s*"""[^"]*"""\s*after: String\s*"""[^"]*"""\s*first: Int! = 20\s*\): UnitConnection!/,
    );
  });

  it('refuses first above 100 or below 1 and accepts the default', () => {
    const errorsOf = (v: object) =>
      validateSync(plainToInstance(ConnectionArgs, v)).map((e) => Object.keys(e.constraints ?? {})[0]);
    expect(errorsOf({ first: 101 })).toEqual(['max']);
    expect(errorsOf({ first: 0 })).toEqual(['min']);
    expect(errorsOf({})).toEqual([]);
    expect(plainToInstance(ConnectionArgs, {}).first).toBe(20);
  });
});

describe('toConnection', () => {
  it('maps items to edges and fills pageInfo from the first and last cursor', () => {
    const c = toConnection([{ id: 'a' }, { id: 'b' }], {
      cursorOf: (x) => `c-${x.id}`,
      hasNextPage: true,
      totalCount: 7,
    });
    expect(c).toEqual({
      edges: [
        { cursor: 'c-a', node: { id: 'a' } },
        { cursor: 'c-b', node: { id: 'b' } },
      ],
      pageInfo: { hasNextPage: true, hasPreviousPage: false, startCursor: 'c-a', endCursor: 'c-b' },
      totalCount: 7,
    });
  });

  it('gives null cursors for an empty page', () => {
    const c = toConnection([], { cursorOf: () => 'x', hasNextPage: false, hasPreviousPage: true });
    expect(c.pageInfo).toEqual({
      hasNextPage: false,
      hasPreviousPage: true,
      startCursor: null,
      endCursor: null,
    });
    expect(c.totalCount).toBeNull();
  });
});

describe('query cost', () => {
  it('counts objects, multiplying a page by first and ignoring scalars', () => {
    // units 1 + 100 x (edges 1 + node 1 + pageInfo 1)
    expect(
      cost('{ units(first: 100) { edges { cursor node { id name } } pageInfo { hasNextPage } totalCount } }'),
    ).toBe(301);
    expect(cost('{ units(first: 5) { edges { node { id parent { id } } } } }')).toBe(1 + 5 * 3);
  });

  it('uses the argument default (20) when first is omitted, and variables when given', () => {
    expect(cost('{ units { edges { node { id } } } }')).toBe(1 + 20 * 2);
    expect(cost('query ($n: Int!) { units(first: $n) { edges { node { id } } } }', { n: 7 })).toBe(1 + 7 * 2);
  });

  it('caps a size above the maximum page at 100 (validation refuses it anyway)', () => {
    expect(cost('{ units(first: 100000) { edges { node { id } } } }')).toBe(1 + 100 * 2);
  });

  it('honours a declared field complexity', () => {
    expect(cost('{ units(first: 10) { edges { node { openCases } } } }')).toBe(1 + 10 * (1 + 1 + 50));
  });

  it('explodes for nested pages (the cost bomb)', () => {
    const bomb =
      '{ units(first: 100) { edges { node { children(first: 100) { edges { node { children(first: 100) { edges { node { id } } } } } } } } } }';
    expect(cost(bomb)).toBeGreaterThan(1_000_000);
    // one nested small page is fine
    expect(
      cost('{ units(first: 20) { edges { node { children(first: 10) { edges { node { id } } } } } } }'),
    ).toBeLessThanOrEqual(QUERY_LIMITS.maxCost);
  });
});

describe('limits in Apollo Server', () => {
  let server: ApolloServer;
  const units = jest.fn(() => toConnection([], { cursorOf: () => '', hasNextPage: false, totalCount: 0 }));
  beforeAll(async () => {
    // The schema factory binds no resolver instances; the root value answers `units` with an empty page.
    server = new ApolloServer({
      schema,
      rootValue: { units },
      validationRules: depthAndAliasRules(),
      plugins: [costLimitPlugin()],
      formatError: formatGraphqlError,
      includeStacktraceInErrorResponses: false,
    });
    await server.start();
  });
  afterAll(() => server.stop());

  async function run(query: string, variables?: Record<string, unknown>) {
    const res = await server.executeOperation({ query, variables });
    if (res.body.kind !== 'single') throw new Error('expected a single result');
    return { status: res.http.status, result: res.body.singleResult };
  }

  it('refuses a cost bomb with QUERY_TOO_COMPLEX before any resolver runs', async () => {
    const { status, result } = await run(
      '{ units(first: 100) { edges { node { children(first: 100) { edges { node { id } } } } } } }',
    );
    expect(status).toBe(400);
    expect(result.data).toBeUndefined();
    expect(units).not.toHaveBeenCalled();
    expect(result.errors).toHaveLength(1);
    expect(result.errors![0].extensions).toMatchObject({ code: 'QUERY_TOO_COMPLEX', status: 400 });
    expect(result.errors![0].message).toMatch(/20301.*1000/);
  });

  it('applies the cost limit to sizes passed as variables', async () => {
    const query =
      'query ($n: Int!) { units(first: $n) { edges { node { children(first: $n) { edges { node { id } } } } } } }';
    expect((await run(query, { n: 5 })).result).toEqual({ data: { units: { edges: [] } } });
    const big = await run(query, { n: 50 });
    expect(big.result.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses deep nesting and many aliases, accepting the limits themselves', async () => {
    const nest = (depth: number) =>
      `{ units { edges { node { ${'parent { '.repeat(depth - 4)}id${' }'.repeat(depth - 4)} } } } }`;
    expect((await run(nest(QUERY_LIMITS.maxDepth))).result.errors).toBeUndefined();
    const deep = await run(nest(QUERY_LIMITS.maxDepth + 1));
    expect(deep.status).toBe(400);
    expect(deep.result.errors?.[0]).toMatchObject({ extensions: { code: 'QUERY_TOO_COMPLEX' } });

    const aliased = (n: number) =>
      `{ ${Array.from({ length: n }, (_, i) => `a${i}: units(first: 1) { totalCount }`).join(' ')} }`;
    expect((await run(aliased(QUERY_LIMITS.maxAliases))).result.errors).toBeUndefined();
    const many = await run(aliased(QUERY_LIMITS.maxAliases + 1));
    expect(many.result.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('counts depth through fragments', async () => {
    const query = `fragment P on Unit { parent { parent { parent { parent { parent { parent { parent { id } } } } } } } }
      { units { edges { node { ...P } } } }`;
    const { result } = await run(query);
    expect(result.errors?.[0].extensions?.code).toBe('QUERY_TOO_COMPLEX');
  });
});
