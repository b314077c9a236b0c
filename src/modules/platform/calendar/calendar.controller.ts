import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { CalendarAdminService } from './calendar-admin.service';
import {
  CalendarDayDto,
  DayParamsDto,
  DeadlineDto,
  DeadlineQueryDto,
  RegionParamsDto,
  SetCalendarDayDto,
  SetCalendarYearDto,
  WorkCalendarDto,
  YearParamsDto,
} from './dto/calendar.dto';

/**
 * Working-day calendars (national holidays and 调休 from the State Council notices, plus regional
 * overrides) and the deadlines counted on them.
 */
@ApiTags('calendar')
@Controller({ path: 'calendar', version: '1' })
export class CalendarController {
  constructor(private readonly calendar: CalendarAdminService) {}

  /** When a period started by a receipt ends (working days count from the day after receipt). */
  @Public()
  @Get(':regionCode/deadline')
  @ApiOkResponse({ type: DeadlineDto })
  deadline(
    @Ctx() ctx: RequestContext,
    @Param() p: RegionParamsDto,
    @Query() q: DeadlineQueryDto,
  ): Promise<DeadlineDto> {
    return this.calendar.deadlineQuery(ctx, p.regionCode, q);
  }

  /** One day in the region: working day or not, and why. */
  @Public()
  @Get(':regionCode/days/:date')
  @ApiOkResponse({ type: CalendarDayDto })
  day(@Ctx() ctx: RequestContext, @Param() p: DayParamsDto): Promise<CalendarDayDto> {
    return this.calendar.getDay(ctx, p.regionCode, p.date);
  }

  /** The year's holidays and make-up working days in the region, and whether the year is published. */
  @Public()
  @Get(':regionCode/:year')
  @ApiOkResponse({ type: WorkCalendarDto })
  year(@Ctx() ctx: RequestContext, @Param() p: YearParamsDto): Promise<WorkCalendarDto> {
    return this.calendar.getYear(ctx, p.regionCode, p.year);
  }

  /** Sets the region's own exception for the day (a local holiday, or a working day); idempotent. */
  @Allow(Permission.CalendarManage)
  @Put(':regionCode/days/:date')
  @ApiOkResponse({ type: CalendarDayDto })
  setDay(
    @Ctx() ctx: RequestContext,
    @Param() p: DayParamsDto,
    @Body() dto: SetCalendarDayDto,
  ): Promise<CalendarDayDto> {
    return this.calendar.setDay(ctx, p.regionCode, p.date, dto);
  }

  /** Drops the region's own exception for the day (national: back to the seeded notice). */
  @Allow(Permission.CalendarManage)
  @Post(':regionCode/days/:date/reset')
  @HttpCode(200)
  @ApiOkResponse({ type: CalendarDayDto })
  resetDay(@Ctx() ctx: RequestContext, @Param() p: DayParamsDto): Promise<CalendarDayDto> {
    return this.calendar.resetDay(ctx, p.regionCode, p.date);
  }

  /** Marks the region's arrangement for the year as announced or not (drives `provisional`). */
  @Allow(Permission.CalendarManage)
  @Put(':regionCode/years/:year')
  @ApiOkResponse({ type: WorkCalendarDto })
  setYear(
    @Ctx() ctx: RequestContext,
    @Param() p: YearParamsDto,
    @Body() dto: SetCalendarYearDto,
  ): Promise<WorkCalendarDto> {
    return this.calendar.setYear(ctx, p.regionCode, p.year, dto);
  }
}
