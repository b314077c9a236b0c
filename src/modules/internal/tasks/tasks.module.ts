import { Module } from '@nestjs/common';
import { NotificationsModule } from '../../platform/notifications/notifications.module';
import { NotesService } from './notes.service';
import { CaseNotesController, TasksController } from './tasks.controller';
import { TasksResolver } from './tasks.resolver';
import { TasksService } from './tasks.service';

/** Work queues (I2) and internal case notes: operations on task holders, never on case state. */
@Module({
  imports: [NotificationsModule],
  controllers: [TasksController, CaseNotesController],
  providers: [TasksService, NotesService, TasksResolver],
  exports: [TasksService, NotesService],
})
export class TasksModule {}
