import { ParseUUIDPipe } from '@nestjs/common';
import { Args, ID, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Public } from '../../../api/auth/allow.decorator';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { SHARED_QUERY_FIELDS } from '../../../api/graphql/shared-answer';
import { CatalogPublicService, SERVICE_CURSOR } from './catalog-public.service';
import { ServiceSearchHitDto, ServiceSummaryDto } from './dto/catalog.dto';
import { ServiceGuideNode, ServiceSearchArgs, ServicesArgs } from './dto/catalog.graphql';

// These answer from the published-catalogue cache only, so anonymous answers may be replayed.
SHARED_QUERY_FIELDS.add('services').add('service').add('searchServices');

@ObjectType()
export class ServiceConnection extends Connection(ServiceSummaryDto, 'ServiceSummary') {}

/** GraphQL twins of the public catalogue reads. */
@Resolver(() => ServiceSummaryDto)
export class CatalogResolver {
  constructor(private readonly catalog: CatalogPublicService) {}

  @Public()
  @Query(() => ServiceConnection, {
    description: 'Published services (办事指南), filtered (REST: GET /v1/services).',
  })
  async services(
    @Ctx() ctx: RequestContext,
    @Args() args: ServicesArgs,
  ): Promise<ConnectionShape<ServiceSummaryDto>> {
    const { first, after, ...filters } = args;
    const page = await this.catalog.list(ctx, { ...filters, limit: first, cursor: after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (s) => SERVICE_CURSOR.encode([s.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Public()
  @Query(() => [ServiceSearchHitDto], {
    description:
      'Ranked search of published services, best first (REST: GET /v1/services/search): the same terms, scores and order.',
  })
  async searchServices(
    @Ctx() ctx: RequestContext,
    @Args() args: ServiceSearchArgs,
  ): Promise<ServiceSearchHitDto[]> {
    return (await this.catalog.search(ctx, { q: args.q, limit: args.limit ?? undefined })).items;
  }

  @Public()
  @Query(() => ServiceGuideNode, { description: 'One published guide; elder: true gives the 长辈版.' })
  service(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, ParseUUIDPipe) id: string,
    @Args('elder', { nullable: true, defaultValue: false }) elder: boolean,
  ): Promise<ServiceGuideNode> {
    return this.catalog.guideNode(ctx, id, elder);
  }
}
