import { Module } from '@nestjs/common';
import { OrganisationsModule } from '../organisations/organisations.module';
import { CalendarController } from './calendar.controller';
import { CalendarResolver } from './calendar.resolver';
import { CalendarAdminService } from './calendar-admin.service';
import { CalendarService } from './calendar.service';
import { CalendarStore } from './calendar-store';

/** Working-day calendars; the workflow engine imports it for deadlines and change notices. */
@Module({
  imports: [OrganisationsModule],
  controllers: [CalendarController],
  providers: [CalendarService, CalendarAdminService, CalendarStore, CalendarResolver],
  exports: [CalendarService],
})
export class CalendarModule {}
