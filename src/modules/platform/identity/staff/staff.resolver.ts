import { Args, ID, Int, Mutation, ObjectType, Query, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { IdempotentMutation } from '../../../../api/graphql/idempotent-mutation';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../../api/graphql/connection';
import { UuidParam } from '../../../../api/http/uuid-param';
import { DelegationService } from './delegation.service';
import {
  AssignRoleDto,
  ConfirmTotpDto,
  CreateDelegationDto,
  CreateStaffDto,
  DelegationDto,
  RoleAssignmentDto,
  RoleDto,
  StaffArgs,
  StaffDto,
  StaffProfileDto,
  StartTotpEnrolmentDto,
  TotpConfirmationDto,
  TotpEnrolmentDto,
  UpdateStaffDto,
} from './dto/staff.dto';
import { STAFF_CURSOR, StaffService } from './staff.service';
import { TotpEnrolmentService } from './totp-enrolment.service';

@ObjectType()
export class StaffConnection extends Connection(StaffDto, 'Staff') {}

/**
 * GraphQL twin of StaffController and RolesController: same permissions, same service calls, same
 * shapes. Mutations returning nothing on REST (204) return true here.
 */
@Resolver(() => StaffDto)
export class StaffResolver {
  constructor(
    private readonly service: StaffService,
    private readonly delegations: DelegationService,
    private readonly totp: TotpEnrolmentService,
  ) {}

  @Allow(Permission.StaffManage, Permission.RoleAssign, Permission.AccountRead)
  @Query(() => [RoleDto], { description: 'The role catalogue: each role and the permissions it bundles.' })
  roles(@Ctx() ctx: RequestContext): RoleDto[] {
    return this.service.roles(ctx);
  }

  @Allow(Permission.StaffManage, Permission.AccountRead)
  @Query(() => StaffConnection, { description: "Staff whose home unit lies within the caller's scope." })
  async staff(@Ctx() ctx: RequestContext, @Args() args: StaffArgs): Promise<ConnectionShape<StaffDto>> {
    const { first, after, ...filters } = args;
    const page = await this.service.list(ctx, { ...filters, limit: first, cursor: after ?? undefined });
    return toConnection(page.items, {
      cursorOf: (s) => STAFF_CURSOR.encode([s.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.StaffManage, Permission.AccountRead)
  @Query(() => StaffDto, {
    description: "One staff account within the caller's scope (NOT_FOUND otherwise).",
  })
  staffMember(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
  ): Promise<StaffDto> {
    return this.service.get(ctx, id);
  }

  @Allow(Permission.StaffSelf)
  @Query(() => StaffProfileDto, {
    description: "The caller's own staff profile, roles and current delegations.",
  })
  myStaffProfile(@Ctx() ctx: RequestContext): Promise<StaffProfileDto> {
    return this.service.me(ctx);
  }

  @Allow(Permission.StaffSelf)
  @Query(() => [DelegationDto], {
    description: 'Delegations the caller gave or received that have not ended.',
  })
  myDelegations(@Ctx() ctx: RequestContext): Promise<DelegationDto[]> {
    return this.delegations.listMine(ctx);
  }

  @Allow(Permission.StaffManage)
  @IdempotentMutation<{ input: CreateStaffDto }>({
    twin: 'POST /v1/staff',
    status: 201,
    body: (args) => args.input,
  })
  @Mutation(() => StaffDto, {
    description:
      "Creates a staff account in a unit within the caller's staff:manage scope. A retry with the same idempotencyKey returns the first answer.",
  })
  createStaff(
    @Ctx() ctx: RequestContext,
    @Args('input') input: CreateStaffDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<StaffDto> {
    return this.service.create(ctx, input);
  }

  /** `expectedVersion` plays the part of If-Match: a stale version is refused (PRECONDITION_FAILED). */
  @Allow(Permission.StaffManage)
  @Mutation(() => StaffDto, {
    description: 'Replaces the editable fields; expectedVersion plays If-Match. Disabling ends the sessions.',
  })
  updateStaff(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
    @Args('expectedVersion', { type: () => Int }) expectedVersion: number,
    @Args('input') input: UpdateStaffDto,
  ): Promise<StaffDto> {
    return this.service.update(ctx, id, expectedVersion, input);
  }

  @Allow(Permission.RoleAssign)
  @IdempotentMutation<{ input: AssignRoleDto }>({
    twin: 'POST /v1/staff/:staffId/roles',
    status: 201,
    body: (args) => args.input,
  })
  @Mutation(() => RoleAssignmentDto, {
    description:
      "Grants a role in a unit ('admin' only by a global administrator; never to yourself). A retry with the same idempotencyKey returns the first answer.",
  })
  assignRole(
    @Ctx() ctx: RequestContext,
    @Args('staffId', { type: () => ID }, UuidParam) staffId: string,
    @Args('input') input: AssignRoleDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<RoleAssignmentDto> {
    return this.service.assignRole(ctx, staffId, input);
  }

  @Allow(Permission.RoleAssign)
  @Mutation(() => Boolean, { description: 'Ends a role assignment; true when done.' })
  revokeRole(
    @Ctx() ctx: RequestContext,
    @Args('staffId', { type: () => ID }, UuidParam) staffId: string,
    @Args('assignmentId', { type: () => ID }, UuidParam) assignmentId: string,
  ): Promise<boolean> {
    return this.service.revokeRole(ctx, staffId, assignmentId).then(() => true);
  }

  @Allow(Permission.StaffManage)
  @Mutation(() => Boolean, {
    description:
      "Removes a staff member's second factor (authenticator and recovery codes) so they can enrol anew; never your own.",
  })
  resetStaffTotp(
    @Ctx() ctx: RequestContext,
    @Args('staffId', { type: () => ID }, UuidParam) staffId: string,
  ): Promise<boolean> {
    return this.service.resetTotp(ctx, staffId).then(() => true);
  }

  @Allow(Permission.StaffSelf)
  @Mutation(() => TotpEnrolmentDto, {
    description:
      'Starts enrolling a TOTP authenticator with your current password; the secret is shown this once and is on only after confirmTotp.',
  })
  enrolTotp(
    @Ctx() ctx: RequestContext,
    @Args('input') input: StartTotpEnrolmentDto,
  ): Promise<TotpEnrolmentDto> {
    return this.totp.start(ctx, input);
  }

  @Allow(Permission.StaffSelf)
  @Mutation(() => TotpConfirmationDto, {
    description:
      'Confirms the enrolment with a code from the new authenticator: your other sessions end; the recovery codes are shown this once.',
  })
  confirmTotp(
    @Ctx() ctx: RequestContext,
    @Args('input') input: ConfirmTotpDto,
  ): Promise<TotpConfirmationDto> {
    return this.totp.confirm(ctx, input);
  }

  @Allow(Permission.StaffSelf)
  @IdempotentMutation<{ input: CreateDelegationDto }>({
    twin: 'POST /v1/staff/me/delegations',
    status: 201,
    body: (args) => args.input,
  })
  @Mutation(() => DelegationDto, {
    description:
      'Lends one of your roles in a unit to a colleague for at most 90 days. A retry with the same idempotencyKey returns the first answer.',
  })
  createDelegation(
    @Ctx() ctx: RequestContext,
    @Args('input') input: CreateDelegationDto,
    @Args('idempotencyKey', { type: () => String, nullable: true }) _idempotencyKey?: string,
  ): Promise<DelegationDto> {
    return this.delegations.create(ctx, input);
  }

  @Allow(Permission.StaffSelf)
  @Mutation(() => DelegationDto, { description: 'Ends a delegation you gave or received.' })
  revokeDelegation(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }, UuidParam) id: string,
  ): Promise<DelegationDto> {
    return this.delegations.revoke(ctx, id);
  }
}
