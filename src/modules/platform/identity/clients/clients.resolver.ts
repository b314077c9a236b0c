import { Args, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../../api/graphql/connection';
import { UuidParam } from '../../../../api/http/uuid-param';
import { CLIENT_CURSOR, ClientsService } from './clients.service';
import {
  ClientArgs,
  ClientDto,
  ClientWithSecretDto,
  CreateClientDto,
  RotateSecretDto,
} from './dto/clients.dto';

@ObjectType()
export class ClientConnection extends Connection(ClientDto, 'Client') {}

/**
 * GraphQL twin of ClientsController. Tokens are not issued here: /v1/oauth/token stays REST only
 * (RFC 6749 form-encoded). Like REST, these mutations take no idempotency key: a replay would have to
 * keep the one-time secret at rest.
 */
@Resolver(() => ClientDto)
export class ClientsResolver {
  constructor(private readonly service: ClientsService) {}

  @Allow(Permission.ClientManage)
  @Query(() => ClientConnection, {
    description: "Agency systems (OAuth clients) of units within the caller's scope.",
  })
  async clients(@Ctx() ctx: RequestContext, @Args() args: ClientArgs): Promise<ConnectionShape<ClientDto>> {
    const { first, after, ...filters } = args;
    const page = await this.service.list(ctx, { ...filters, limit: first, cursor: after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (c) => CLIENT_CURSOR.encode([c.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.ClientManage)
  @Query(() => ClientDto, { description: "One client within the caller's scope (NOT_FOUND otherwise)." })
  client(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
  ): Promise<ClientDto> {
    return this.service.get(ctx, id);
  }

  @Allow(Permission.ClientManage)
  @Mutation(() => ClientWithSecretDto, {
    description: 'Registers an agency system; the client secret is in this result only.',
  })
  createClient(
    @Ctx() ctx: RequestContext,
    @Args('input') input: CreateClientDto,
  ): Promise<ClientWithSecretDto> {
    return this.service.create(ctx, input);
  }

  @Allow(Permission.ClientManage)
  @Mutation(() => ClientWithSecretDto, {
    description: 'Issues a new secret (in this result only); the previous one stays valid for graceSeconds.',
  })
  rotateClientSecret(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
    @Args('input', { nullable: true }) input?: RotateSecretDto,
  ): Promise<ClientWithSecretDto> {
    return this.service.rotateSecret(ctx, id, input ?? {});
  }

  @Allow(Permission.ClientManage)
  @Mutation(() => ClientDto, {
    description: 'Stops the client: no new tokens, and its current tokens are refused.',
  })
  deactivateClient(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
  ): Promise<ClientDto> {
    return this.service.deactivate(ctx, id);
  }
}
