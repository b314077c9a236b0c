import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import { RequestContext } from '../../../api/context/request-context';
import { UuidParam } from '../../../api/http/uuid-param';
import { DeadEventListDto, DeadEventQueryDto, ReplayedDeliveryDto, SubscriberLagListDto } from './events.dto';
import { EventsAdminService } from './events-admin.service';

/** Operators: the outbox's durable subscribers, their lag and dead deliveries (beside admin/jobs). */
@ApiTags('platform')
@Controller({ path: 'admin/events', version: '1' })
export class EventsController {
  constructor(private readonly admin: EventsAdminService) {}

  /** Every durable subscriber with its open deliveries and how far behind it is. */
  @Allow(Permission.JobsAdmin)
  @Get('subscribers')
  @ApiOkResponse({ type: SubscriberLagListDto })
  async subscribers(@Ctx() ctx: RequestContext): Promise<SubscriberLagListDto> {
    return { items: await this.admin.lag(ctx) };
  }

  /** Deliveries given up after their last attempt, oldest first (payloads are not shown). */
  @Allow(Permission.JobsAdmin)
  @Get('dead')
  @ApiOkResponse({ type: DeadEventListDto })
  async dead(@Ctx() ctx: RequestContext, @Query() query: DeadEventQueryDto): Promise<DeadEventListDto> {
    return { items: await this.admin.dead(ctx, query) };
  }

  /** Makes a dead delivery due again (attempts reset); later events of its aggregate follow it. */
  @Allow(Permission.JobsAdmin)
  @Post('subscribers/:subscriber/deliveries/:eventId/replay')
  @HttpCode(200)
  @ApiOkResponse({ type: ReplayedDeliveryDto })
  replay(
    @Ctx() ctx: RequestContext,
    @Param('subscriber') subscriber: string,
    @Param('eventId', UuidParam) eventId: string,
  ): Promise<ReplayedDeliveryDto> {
    return this.admin.replay(ctx, subscriber, eventId);
  }
}
