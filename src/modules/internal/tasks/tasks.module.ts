import { Module } from '@nestjs/common';
import { AccessModule } from '../../platform/access/access.module';
import { OrganisationsModule } from '../../platform/organisations/organisations.module';
import { NotificationsModule } from '../../platform/notifications/notifications.module';
import { WorkflowModule } from '../workflow/workflow.module';
import { NotesService } from './notes.service';
import { CaseNotesController, TasksController } from './tasks.controller';
import { TasksResolver } from './tasks.resolver';
import { TaskPolicy } from './task.policy';
import { TasksService } from './tasks.service';

/** Work queues (I2) and internal case notes: operations on task holders, never on case state. */
@Module({
  imports: [AccessModule, NotificationsModule, OrganisationsModule, WorkflowModule],
  controllers: [TasksController, CaseNotesController],
  providers: [TasksService, NotesService, TasksResolver, TaskPolicy],
  exports: [TasksService, NotesService],
})
export class TasksModule {}
