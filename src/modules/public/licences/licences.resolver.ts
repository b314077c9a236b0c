import { Args, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionArgs, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { fieldList, LicenceDto, LicenceFieldDto, LicenceVerificationDto } from './dto/licence.dto';
import { LICENCE_CURSOR, LicencesService } from './licences.service';

@ObjectType()
export class LicenceConnection extends Connection(LicenceDto, 'Licence') {}

@Resolver(() => LicenceDto)
export class LicencesResolver {
  constructor(private readonly service: LicencesService) {}

  @Allow(Permission.SelfService)
  @Query(() => LicenceConnection, { description: 'The licences issued to me, newest first.' })
  async myLicences(
    @Ctx() ctx: RequestContext,
    @Args() args: ConnectionArgs,
  ): Promise<ConnectionShape<LicenceDto>> {
    const page = await this.service.listMine(ctx, { limit: args.first, cursor: args.after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (l) => LICENCE_CURSOR.encode([l.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.SelfService)
  @ResolveField('fields', () => [LicenceFieldDto], { description: 'the licence content' })
  fields(@Parent() licence: LicenceDto): LicenceFieldDto[] {
    return fieldList(licence.fields);
  }
}

@Resolver(() => LicenceVerificationDto)
export class LicenceVerificationResolver {
  constructor(private readonly service: LicencesService) {}

  @Public()
  @Query(() => LicenceVerificationDto, {
    description: 'Checks an e-licence by its verification code (anyone).',
  })
  licenceVerification(
    @Ctx() ctx: RequestContext,
    @Args('code') code: string,
  ): Promise<LicenceVerificationDto> {
    return this.service.verify(ctx, code);
  }

  @Public()
  @ResolveField('fields', () => [LicenceFieldDto], { description: 'the licence content (public by rule)' })
  fields(@Parent() verification: LicenceVerificationDto): LicenceFieldDto[] {
    return fieldList(verification.fields);
  }
}
