import { Args, Query, Resolver } from '@nestjs/graphql';
import { Public } from '../../../api/auth/allow.decorator';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { CalendarAdminService } from './calendar-admin.service';
import { DeadlineArgs, DeadlineDto, WorkCalendarDto, YearParamsDto } from './dto/calendar.dto';

@Resolver(() => WorkCalendarDto)
export class CalendarResolver {
  constructor(private readonly calendar: CalendarAdminService) {}

  @Public()
  @Query(() => WorkCalendarDto, { description: "A region's holidays and make-up working days for a year." })
  workCalendar(@Ctx() ctx: RequestContext, @Args() args: YearParamsDto): Promise<WorkCalendarDto> {
    return this.calendar.getYear(ctx, args.regionCode, args.year);
  }

  @Public()
  @Query(() => DeadlineDto, { description: 'When a period started by a receipt ends in a region.' })
  deadline(@Ctx() ctx: RequestContext, @Args() args: DeadlineArgs): Promise<DeadlineDto> {
    return this.calendar.deadlineQuery(ctx, args.regionCode, args);
  }
}
