import { Args, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { AuditQueryService } from './audit-query.service';
import { DATA_ACCESS_CURSOR, DataAccessService } from './data-access.service';
import { CheckpointDto } from './dto/audit.dto';
import { DataAccessArgs, DataAccessItemDto } from './dto/data-access.dto';

@ObjectType()
export class DataAccessConnection extends Connection(DataAccessItemDto, 'DataAccess') {}

/** The parts of the audit log a frontend reads: a citizen's data accesses and the public checkpoint. */
@Resolver()
export class AuditResolver {
  constructor(
    private readonly dataAccess: DataAccessService,
    private readonly audit: AuditQueryService,
  ) {}

  @Allow(Permission.SelfService)
  @Query(() => DataAccessConnection, {
    description: 'Who accessed my personal data, when and why; newest first.',
  })
  async myDataAccess(
    @Ctx() ctx: RequestContext,
    @Args() args: DataAccessArgs,
  ): Promise<ConnectionShape<DataAccessItemDto>> {
    const { first, after, since, until } = args;
    const page = await this.dataAccess.list(ctx, { limit: first, cursor: after ?? undefined, since, until });
    return toConnection(page.items, {
      cursorOf: (i) => DATA_ACCESS_CURSOR.encode([String(i.seq)]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Public()
  @Query(() => CheckpointDto, { description: 'The latest signed tree head of the audit log.' })
  auditCheckpoint(@Ctx() ctx: RequestContext): Promise<CheckpointDto> {
    return this.audit.checkpoint(ctx);
  }
}
