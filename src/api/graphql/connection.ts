import type { Type } from '@nestjs/common';
import { ArgsType, Field, Int, ObjectType } from '@nestjs/graphql';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

/** Relay cursor connections (relay.dev/graphql/connections.htm), forward paging with first/after. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

@ObjectType({ description: 'Where this page sits in the whole list (Relay PageInfo).' })
export class PageInfo {
  @Field({ description: 'True when another page follows; fetch it with after: endCursor.' })
  hasNextPage: boolean;

  @Field({ description: 'True when pages precede this one (false when paging forward from the start).' })
  hasPreviousPage: boolean;

  @Field(() => String, { nullable: true, description: 'Cursor of the first edge; null for an empty page.' })
  startCursor: string | null;

  @Field(() => String, { nullable: true, description: 'Cursor of the last edge; null for an empty page.' })
  endCursor: string | null;
}

export interface Edge<T> {
  cursor: string;
  node: T;
}

/** A count, or how to get it (toConnection runs it only when the query selects totalCount). */
export type TotalCount = number | null | (() => Promise<number>);

export interface ConnectionShape<T> {
  edges: Edge<T>[];
  pageInfo: PageInfo;
  totalCount?: number | null | Promise<number>;
}

/**
 * Builds `<Name>Edge` and the fields of a connection for a node type. Use it as a base class so
 * the connection keeps its own name:
 *
 *   @ObjectType() export class OrganisationConnection extends Connection(Organisation) {}
 *
 * `name` defaults to the class name; pass it when the node's GraphQL name differs.
 */
export function Connection<T>(nodeType: Type<T>, name: string = nodeType.name): Type<ConnectionShape<T>> {
  @ObjectType(`${name}Edge`, { description: `One ${name} in a page, with its cursor.` })
  class EdgeType implements Edge<T> {
    @Field({ description: 'Opaque cursor of this node; pass it as after to continue from here.' })
    cursor: string;

    @Field(() => nodeType)
    node: T;
  }

  @ObjectType({ isAbstract: true })
  abstract class ConnectionType implements ConnectionShape<T> {
    @Field(() => [EdgeType])
    edges: EdgeType[];

    @Field(() => PageInfo)
    pageInfo: PageInfo;

    @Field(() => Int, {
      nullable: true,
      description:
        'How many items match the filters in all pages (one COUNT, run only when this field is selected); ' +
        'null where a list cannot count.',
    })
    totalCount?: number | null | Promise<number>;
  }

  return ConnectionType as unknown as Type<ConnectionShape<T>>;
}

/** `first` / `after` arguments; extend it to add filters: `@ArgsType() class OrgArgs extends ConnectionArgs {...}`. */
@ArgsType()
export class ConnectionArgs {
  @Field(() => Int, { defaultValue: DEFAULT_PAGE_SIZE, description: `Page size, 1 to ${MAX_PAGE_SIZE}.` })
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  first: number = DEFAULT_PAGE_SIZE;

  @Field(() => String, {
    nullable: true,
    description: 'endCursor of the previous page; omit for the first page.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  after?: string | null;
}

export interface ToConnectionOptions<T> {
  /** the opaque cursor of an item: the list's CursorCodec, as REST's `nextCursor` (pagination.ts) */
  cursorOf: (item: T) => string;
  hasNextPage: boolean;
  /** true when the page was requested with `after`, if the caller knows; Relay allows false */
  hasPreviousPage?: boolean;
  /** a number, or a Page's `count` (called only if the query selects totalCount) */
  totalCount?: TotalCount;
}

/**
 * Turns one already-fetched page into a connection. Paging itself (fetching first+1 rows after
 * the decoded cursor) stays with the service and the list's cursor codec, which checks `after`
 * exactly as it checks REST's `cursor` (400 INVALID_CURSOR), so REST and GraphQL page identically.
 */
export function toConnection<T>(items: readonly T[], options: ToConnectionOptions<T>): ConnectionShape<T> {
  const edges = items.map((node) => ({ cursor: options.cursorOf(node), node }));
  const connection: ConnectionShape<T> = {
    edges,
    pageInfo: {
      hasNextPage: options.hasNextPage,
      hasPreviousPage: options.hasPreviousPage ?? false,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: edges[edges.length - 1]?.cursor ?? null,
    },
  };
  const { totalCount } = options;
  // A count function runs when the field resolver reads the property, i.e. only if the query
  // selects totalCount: a getter, since the resolver reads properties and does not call them.
  if (typeof totalCount === 'function')
    Object.defineProperty(connection, 'totalCount', { enumerable: true, get: totalCount });
  else connection.totalCount = totalCount ?? null;
  return connection;
}
