import { Controller, Get, VERSION_NEUTRAL } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import { Public } from '../../../api/auth/allow.decorator';
import { SkipRateLimit } from '../../../api/http/rate-limit.guard';
import { HealthService } from './health.service';
import { HealthDto } from './health.dto';

@ApiTags('platform')
@SkipRateLimit()
@Controller({ path: 'health', version: VERSION_NEUTRAL })
export class HealthController {
  constructor(private readonly health: HealthService) {}

  /** Liveness: the process answers; checks nothing else. */
  @Public()
  @Get('live')
  @ApiOkResponse({ type: HealthDto })
  live(): HealthDto {
    return this.health.live();
  }

  /** Readiness: the database answers within a second. */
  @Public()
  @Get('ready')
  @ApiOkResponse({ type: HealthDto })
  @ApiServiceUnavailableResponse({ description: 'A dependency is down (problem+json)' })
  ready(): Promise<HealthDto> {
    return this.health.ready();
  }
}
