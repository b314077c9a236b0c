import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { FilesController } from './files.controller';
import { FilesPurgeService } from './files-purge.service';
import { FilesResolver } from './files.resolver';
import { FilesService } from './files.service';
import { FILE_STORAGE, FileStorage } from './storage/file-storage';
import { LocalFileStorage } from './storage/local-file-storage';
import { S3FileStorage } from './storage/s3-file-storage';

export function fileStorageOf(config: AppConfig): FileStorage {
  return config.files.driver === 's3' && config.files.s3
    ? new S3FileStorage(config.files.s3)
    : new LocalFileStorage(config.files.localDir);
}

/** Files (P7): uploads, downloads, attachments for other modules (FilesService), purge of unattached files. */
@Module({
  controllers: [FilesController],
  providers: [
    FilesService,
    FilesResolver,
    FilesPurgeService,
    { provide: FILE_STORAGE, inject: [APP_CONFIG], useFactory: fileStorageOf },
  ],
  exports: [FilesService],
})
export class FilesModule {}
