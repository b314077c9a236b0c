import { Args, ID, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { InboxArgs, InboxMessageDto, UnreadCountGql } from './dto/notifications.dto';
import { INBOX_CURSOR, InboxService } from './inbox.service';

@ObjectType()
export class InboxMessageConnection extends Connection(InboxMessageDto, 'InboxMessage') {}

@Resolver()
export class NotificationsResolver {
  constructor(private readonly inbox: InboxService) {}

  @Allow(Permission.SelfService)
  @Query(() => InboxMessageConnection, { description: 'My in-app messages, newest first.' })
  async myNotifications(
    @Ctx() ctx: RequestContext,
    @Args() args: InboxArgs,
  ): Promise<ConnectionShape<InboxMessageDto>> {
    const page = await this.inbox.list(ctx, {
      limit: args.first,
      cursor: args.after ?? undefined,
      unread: !!args.unread,
    });
    return toConnection(page.items, {
      cursorOf: (m) => INBOX_CURSOR.encode([m.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.SelfService)
  @Query(() => UnreadCountGql, { description: 'How many of my in-app messages are unread.' })
  myUnreadNotifications(@Ctx() ctx: RequestContext): Promise<UnreadCountGql> {
    return this.inbox.unreadCount(ctx);
  }

  @Allow(Permission.SelfService)
  @Mutation(() => InboxMessageDto, { description: 'Marks one of my in-app messages read.' })
  markNotificationRead(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
  ): Promise<InboxMessageDto> {
    return this.inbox.markRead(ctx, id);
  }
}
