import { Args, ID, Query, Resolver } from '@nestjs/graphql';
import { Public } from '../../../api/auth/allow.decorator';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { UuidParam } from '../../../api/http/uuid-param';
import { StoredFileDto } from './dto/stored-file.dto';
import { FilesService } from './files.service';

/**
 * Reads only. Uploads stay on REST (POST /v1/files): GraphQL multipart requests can be sent as a
 * simple cross-site form post (a CSRF vector) and would need the body parsed before the guard runs.
 */
@Resolver(() => StoredFileDto)
export class FilesResolver {
  constructor(private readonly files: FilesService) {}

  @Public()
  @Query(() => StoredFileDto, { description: 'A file I uploaded, or a published template (anyone).' })
  file(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
  ): Promise<StoredFileDto> {
    return this.files.get(ctx, id);
  }
}
