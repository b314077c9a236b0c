import { Module } from '@nestjs/common';
import { TimelineController } from './timeline.controller';
import { TimelineResolver } from './timeline.resolver';
import { TimelineService } from './timeline.service';

/** My government (C11): other modules register their items' sources with TimelineService. */
@Module({
  controllers: [TimelineController],
  providers: [TimelineService, TimelineResolver],
  exports: [TimelineService],
})
export class TimelineModule {}
