import { Global, Module } from '@nestjs/common';
import { JobWorker } from './job-worker.service';
import { JobsController } from './jobs.controller';
import { JobsService } from './jobs.service';

/** Global: any module may inject JobsService to enqueue work or register a handler. */
@Global()
@Module({
  controllers: [JobsController],
  providers: [JobsService, JobWorker],
  exports: [JobsService, JobWorker],
})
export class JobsModule {}
