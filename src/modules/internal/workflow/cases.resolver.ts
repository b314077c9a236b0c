import { Args, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { IdempotentMutation } from '../../../api/graphql/idempotent-mutation';
import { UuidParam } from '../../../api/http/uuid-param';
import { CASE_CURSOR, CasesService } from './cases.service';
import { CaseActionDto, CaseConnectionArgs, CaseDetailDto, CaseDto } from './dto/case.dto';

const CASE_STAFF = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseSupervise,
];

@ObjectType()
export class CaseConnection extends Connection(CaseDto, 'Case') {}

@Resolver(() => CaseDto)
export class CasesResolver {
  constructor(private readonly service: CasesService) {}

  @Allow(...CASE_STAFF)
  @Query(() => CaseConnection, { description: "Cases of the caller's units, soonest due first." })
  async cases(
    @Ctx() ctx: RequestContext,
    @Args() args: CaseConnectionArgs,
  ): Promise<ConnectionShape<CaseDto>> {
    const { first, after, ...filters } = args;
    const page = await this.service.list(ctx, { ...filters, limit: first, cursor: after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (c) => CASE_CURSOR.encode([c.dueAt ?? 'infinity', c.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(...CASE_STAFF)
  @Query(() => CaseDetailDto, {
    name: 'case',
    description: 'One case with its tasks, history and available actions.',
  })
  case(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
  ): Promise<CaseDetailDto> {
    return this.service.get(ctx, id);
  }

  @Allow(...CASE_STAFF)
  @IdempotentMutation<{ input?: CaseActionDto | null }>({
    twin: 'POST /v1/cases/:id/actions/:action',
    status: 200,
    body: (args) => args.input ?? {},
  })
  @Mutation(() => CaseDetailDto, {
    description:
      'Applies a workflow action to a case. A retry with the same idempotencyKey returns the first answer.',
  })
  applyCaseAction(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
    @Args('action') action: string,
    @Args('input', { type: () => CaseActionDto, nullable: true }) input: CaseActionDto | null,
    @Args('expectedVersion', {
      type: () => Int,
      nullable: true,
      description: 'the version the caller last saw (like If-Match)',
    })
    expectedVersion: number | null,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<CaseDetailDto> {
    return this.service.act(ctx, id, action, input ?? {}, expectedVersion ?? undefined);
  }
}
