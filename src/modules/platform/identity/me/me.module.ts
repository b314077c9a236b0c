import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { MeController } from './me.controller';
import { MeResolver } from './me.resolver';
import { MeService } from './me.service';

/** /v1/me and the GraphQL `me` query: the signed-in account's own profile and password. */
@Module({
  imports: [AuthModule],
  controllers: [MeController],
  providers: [MeService, MeResolver],
})
export class MeModule {}
