import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../../../../config/config';
import { AuthModule } from '../auth/auth.module';
import { CHANNEL_PROVIDER, createChannelProvider } from './channel-provider';
import { ChannelLoginController, MeChannelsController } from './channels.controller';
import { MeChannelsResolver } from './channels.resolver';
import { ChannelsService } from './channels.service';

/** Linked mini-program identities: /v1/me/channels, /v1/auth/channel-login and `me { channels }`. */
@Module({
  imports: [AuthModule],
  controllers: [MeChannelsController, ChannelLoginController],
  providers: [
    ChannelsService,
    MeChannelsResolver,
    {
      provide: CHANNEL_PROVIDER,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => createChannelProvider(config.env, config.channels),
    },
  ],
  exports: [ChannelsService],
})
export class ChannelsModule {}
