import { Module } from '@nestjs/common';
import { registerErrorDialect } from '../../../api/errors/exception.filter';
import { ComplaintsModule } from '../complaints/complaints.module';
import { open311ErrorDialect } from './open311-errors';
import { Open311Controller } from './open311.controller';
import { Open311Service } from './open311.service';

// Every refusal under /open311/v2 below 500 (but 429) in the spec's <errors> form, whoever raises it.
registerErrorDialect(open311ErrorDialect);

/**
 * Open311 GeoReport v2 at /open311/v2: a facade over the complaints module's public service
 * (ComplaintsPublic). REST only: GeoReport is a REST standard, and GraphQL callers use the
 * complaints module's own types.
 */
@Module({
  imports: [ComplaintsModule],
  controllers: [Open311Controller],
  providers: [Open311Service],
})
export class Open311Module {}
