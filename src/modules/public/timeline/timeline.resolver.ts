import { Args, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionArgs, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { TimelineItemDto } from './dto/timeline.dto';
import { TIMELINE_CURSOR, TimelineService } from './timeline.service';

@ObjectType()
export class TimelineConnection extends Connection(TimelineItemDto, 'TimelineItem') {}

@Resolver(() => TimelineItemDto)
export class TimelineResolver {
  constructor(private readonly timeline: TimelineService) {}

  @Allow(Permission.SelfService)
  @Query(() => TimelineConnection, { description: 'My government: my items, latest change first.' })
  async myTimeline(
    @Ctx() ctx: RequestContext,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<TimelineItemDto>> {
    const page = await this.timeline.list(ctx, { limit: args.first, cursor: args.after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (i) => TIMELINE_CURSOR.encode([i.updatedAt, i.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }
}
