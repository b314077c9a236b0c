import { Query, Resolver } from '@nestjs/graphql';
import { Public } from '../auth/allow.decorator';
import { Ctx } from '../context/ctx.decorator';
import { RequestContext } from '../context/request-context';
import { ApiInfo } from './api-info.dto';
import { ApiInfoService } from './api-info.service';

@Resolver(() => ApiInfo)
export class ApiInfoResolver {
  constructor(private readonly info: ApiInfoService) {}

  @Public()
  @Query(() => ApiInfo, {
    description: 'Name, version and languages of this API, answered in the negotiated language.',
  })
  apiInfo(@Ctx() ctx: RequestContext): ApiInfo {
    return this.info.describe(ctx);
  }
}
