import { Module } from '@nestjs/common';
import { WorkflowEngine } from './workflow-engine.service';

/** Workflows as data (I1–I6): definitions, the engine, cases, tasks, clocks. */
@Module({
  providers: [WorkflowEngine],
  exports: [WorkflowEngine],
})
export class WorkflowModule {}
