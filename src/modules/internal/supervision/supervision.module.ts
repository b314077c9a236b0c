import { Module } from '@nestjs/common';
import { StatisticsController } from './statistics.controller';
import { StatisticsResolver } from './statistics.resolver';
import { StatisticsService } from './statistics.service';

/**
 * Supervision (督办): statistics over the workflow's cases. A read model: it queries case_file,
 * service and the organisation tree with SQL, read-only, and owns no tables.
 */
@Module({
  controllers: [StatisticsController],
  providers: [StatisticsService, StatisticsResolver],
})
export class SupervisionModule {}
