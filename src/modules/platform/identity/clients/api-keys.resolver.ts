import { Args, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import {
  Connection,
  ConnectionArgs,
  ConnectionShape,
  toConnection,
} from '../../../../api/graphql/connection';
import { UuidParam } from '../../../../api/http/uuid-param';
import { API_KEY_CURSOR, ApiKeysService } from './api-keys.service';
import { ApiKeyCreatedDto, ApiKeyDto, CreateApiKeyDto } from './dto/clients.dto';

@ObjectType()
export class ApiKeyConnection extends Connection(ApiKeyDto, 'ApiKey') {}

/** GraphQL twin of ApiKeysController; like REST, createApiKey takes no idempotency key (the key is shown once). */
@Resolver(() => ApiKeyDto)
export class ApiKeysResolver {
  constructor(private readonly keys: ApiKeysService) {}

  @Allow(Permission.ApiKeyManage)
  @Query(() => ApiKeyConnection, {
    description:
      "Keys within the caller's scope and the caller's own, newest first; only their prefix is shown.",
  })
  async apiKeys(
    @Ctx() ctx: RequestContext,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<ApiKeyDto>> {
    const page = await this.keys.list(ctx, { limit: args.first, cursor: args.after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (k) => API_KEY_CURSOR.encode([k.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.ApiKeyManage)
  @Mutation(() => ApiKeyCreatedDto, {
    description: 'Issues an integrator key; the whole key is in this result only. Send it as X-API-Key.',
  })
  createApiKey(@Ctx() ctx: RequestContext, @Args('input') input: CreateApiKeyDto): Promise<ApiKeyCreatedDto> {
    return this.keys.create(ctx, input);
  }

  @Allow(Permission.ApiKeyManage)
  @Mutation(() => ApiKeyDto, { description: 'Revokes a key at once.' })
  revokeApiKey(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
  ): Promise<ApiKeyDto> {
    return this.keys.revoke(ctx, id);
  }
}
