import { Module } from '@nestjs/common';
import { RepresentativesController } from './representatives.controller';
import { MeRepresentativesResolver } from './representatives.resolver';
import { RepresentativesService } from './representatives.service';

/** Business accounts' authorised representatives (授权经办人): /v1/me/representatives, /v1/me/businesses. */
@Module({
  controllers: [RepresentativesController],
  providers: [RepresentativesService, MeRepresentativesResolver],
  exports: [RepresentativesService],
})
export class BusinessModule {}
