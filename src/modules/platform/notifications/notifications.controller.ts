import { Body, Controller, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { UuidParam } from '../../../api/http/uuid-param';
import {
  InboxMessageDto,
  InboxPageDto,
  InboxQueryDto,
  NotificationPreferencesDto,
  ReadAllDto,
  UnreadCountDto,
} from './dto/notifications.dto';
import { InboxService } from './inbox.service';

@ApiTags('me')
@Controller({ path: 'me', version: '1' })
export class NotificationsController {
  constructor(private readonly inbox: InboxService) {}

  /** My in-app messages, newest first; `unread=true` for unread ones only. */
  @Allow(Permission.SelfService)
  @Get('notifications')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: InboxPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: InboxQueryDto): Promise<InboxPageDto> {
    return this.inbox.list(ctx, { ...query, unread: query.unread === 'true' });
  }

  /** How many of my messages are unread (for a badge). */
  @Allow(Permission.SelfService)
  @Get('notifications/unread-count')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: UnreadCountDto })
  unreadCount(@Ctx() ctx: RequestContext): Promise<UnreadCountDto> {
    return this.inbox.unreadCount(ctx);
  }

  /** Marks every unread message of mine read. */
  @Allow(Permission.SelfService)
  @Post('notifications/read-all')
  @HttpCode(200)
  @ApiOkResponse({ type: ReadAllDto })
  readAll(@Ctx() ctx: RequestContext): Promise<ReadAllDto> {
    return this.inbox.markAllRead(ctx);
  }

  /** Marks one of my messages read; marking it again changes nothing. */
  @Allow(Permission.SelfService)
  @Post('notifications/:id/read')
  @HttpCode(200)
  @ApiOkResponse({ type: InboxMessageDto })
  read(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<InboxMessageDto> {
    return this.inbox.markRead(ctx, id);
  }

  /** Which channels carry my notices besides the inbox (always on). */
  @Allow(Permission.SelfService)
  @Get('notification-preferences')
  @Header('Cache-Control', 'private, no-store')
  @ApiOkResponse({ type: NotificationPreferencesDto })
  preferences(@Ctx() ctx: RequestContext): Promise<NotificationPreferencesDto> {
    return this.inbox.preferences(ctx);
  }

  /** Turns e-mail and SMS notices on or off (verification codes are always sent). */
  @Allow(Permission.SelfService)
  @Put('notification-preferences')
  @ApiOkResponse({ type: NotificationPreferencesDto })
  setPreferences(
    @Ctx() ctx: RequestContext,
    @Body() dto: NotificationPreferencesDto,
  ): Promise<NotificationPreferencesDto> {
    return this.inbox.setPreferences(ctx, dto);
  }
}
