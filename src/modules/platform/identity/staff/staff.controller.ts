import { Body, Controller, Delete, Get, Header, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../../api/auth/allow.decorator';
import { Permission } from '../../../../api/auth/permission';
import { Ctx } from '../../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../../api/context/request-context';
import { Idempotent } from '../../../../api/http/idempotency';
import { IfMatch } from '../../../../api/http/if-match';
import type { Page } from '../../../../api/http/pagination';
import { UuidParam } from '../../../../api/http/uuid-param';
import {
  AssignRoleDto,
  ConfirmTotpDto,
  CreateDelegationDto,
  CreateStaffDto,
  DelegationDto,
  RoleAssignmentDto,
  RoleDto,
  StaffDto,
  StaffPageDto,
  StaffProfileDto,
  StaffQueryDto,
  StartTotpEnrolmentDto,
  TotpConfirmationDto,
  TotpEnrolmentDto,
  UpdateStaffDto,
} from './dto/staff.dto';
import { DelegationService } from './delegation.service';
import { StaffService } from './staff.service';
import { TotpEnrolmentService } from './totp-enrolment.service';

@ApiTags('staff')
@Controller({ path: 'roles', version: '1' })
export class RolesController {
  constructor(private readonly staff: StaffService) {}

  /** The role catalogue: each role and the permissions it bundles. */
  @Allow(Permission.StaffManage, Permission.RoleAssign, Permission.AccountRead)
  @Get()
  @ApiOkResponse({ type: [RoleDto] })
  list(@Ctx() ctx: RequestContext): RoleDto[] {
    return this.staff.roles(ctx);
  }
}

@ApiTags('staff')
@Controller({ path: 'staff', version: '1' })
export class StaffController {
  constructor(
    private readonly staff: StaffService,
    private readonly delegations: DelegationService,
    private readonly totp: TotpEnrolmentService,
  ) {}

  /** Creates a staff account in a unit within the caller's staff:manage scope. */
  @Allow(Permission.StaffManage)
  @Post()
  @Idempotent()
  @ApiCreatedResponse({ type: StaffDto })
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateStaffDto): Promise<StaffDto> {
    return this.staff.create(ctx, dto);
  }

  /** Staff whose home unit lies within the caller's scope. */
  @Allow(Permission.StaffManage, Permission.AccountRead)
  @Get()
  @ApiOkResponse({ type: StaffPageDto })
  list(@Ctx() ctx: RequestContext, @Query() query: StaffQueryDto): Promise<Page<StaffDto>> {
    return this.staff.list(ctx, query);
  }

  /** The caller's own staff profile, roles and current delegations. */
  @Allow(Permission.StaffSelf)
  @Get('me')
  @ApiOkResponse({ type: StaffProfileDto })
  me(@Ctx() ctx: RequestContext): Promise<StaffProfileDto> {
    return this.staff.me(ctx);
  }

  /**
   * Starts enrolling a TOTP authenticator, with your current password; the secret and otpauth URI
   * are shown this once, and the factor is on only when a code from it is confirmed (10 minutes).
   */
  @Allow(Permission.StaffSelf)
  @Post('me/totp')
  @Header('Cache-Control', 'no-store')
  @ApiCreatedResponse({ type: TotpEnrolmentDto })
  enrolTotp(@Ctx() ctx: RequestContext, @Body() dto: StartTotpEnrolmentDto): Promise<TotpEnrolmentDto> {
    return this.totp.start(ctx, dto);
  }

  /**
   * Confirms the enrolment with a code from the new authenticator: the second factor is on, your
   * other sessions end, and ten single-use recovery codes are shown this once.
   */
  @Allow(Permission.StaffSelf)
  @Post('me/totp/confirm')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @ApiOkResponse({ type: TotpConfirmationDto })
  confirmTotp(@Ctx() ctx: RequestContext, @Body() dto: ConfirmTotpDto): Promise<TotpConfirmationDto> {
    return this.totp.confirm(ctx, dto);
  }

  @Allow(Permission.StaffSelf)
  @Get('me/delegations')
  @ApiOkResponse({ type: [DelegationDto] })
  myDelegations(@Ctx() ctx: RequestContext): Promise<DelegationDto[]> {
    return this.delegations.listMine(ctx);
  }

  /** Lends one of your roles in a unit to a colleague for at most 90 days. */
  @Allow(Permission.StaffSelf)
  @Post('me/delegations')
  @Idempotent()
  @ApiCreatedResponse({ type: DelegationDto })
  delegate(@Ctx() ctx: RequestContext, @Body() dto: CreateDelegationDto): Promise<DelegationDto> {
    return this.delegations.create(ctx, dto);
  }

  /** Ends a delegation you gave or received. */
  @Allow(Permission.StaffSelf)
  @Post('me/delegations/:id/revoke')
  @HttpCode(200)
  @ApiOkResponse({ type: DelegationDto })
  revokeDelegation(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<DelegationDto> {
    return this.delegations.revoke(ctx, id);
  }

  @Allow(Permission.StaffManage, Permission.AccountRead)
  @Get(':id')
  @ApiOkResponse({ type: StaffDto })
  get(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<StaffDto> {
    return this.staff.get(ctx, id);
  }

  /** Replaces the editable fields (needs If-Match); status "disabled" ends the account's sessions. */
  @Allow(Permission.StaffManage)
  @Put(':id')
  @ApiOkResponse({ type: StaffDto })
  update(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @IfMatch() version: number,
    @Body() dto: UpdateStaffDto,
  ): Promise<StaffDto> {
    return this.staff.update(ctx, id, version, dto);
  }

  /** Grants a role in a unit ('admin' only by a global administrator; never to yourself). */
  @Allow(Permission.RoleAssign)
  @Post(':id/roles')
  @Idempotent()
  @ApiCreatedResponse({ type: RoleAssignmentDto })
  assignRole(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Body() dto: AssignRoleDto,
  ): Promise<RoleAssignmentDto> {
    return this.staff.assignRole(ctx, id, dto);
  }

  @Allow(Permission.RoleAssign)
  @Delete(':id/roles/:assignmentId')
  @HttpCode(204)
  @ApiNoContentResponse()
  revokeRole(
    @Ctx() ctx: RequestContext,
    @Param('id', UuidParam) id: string,
    @Param('assignmentId', UuidParam) assignmentId: string,
  ): Promise<void> {
    return this.staff.revokeRole(ctx, id, assignmentId);
  }

  /**
   * Removes a staff member's second factor (authenticator and recovery codes) so they can enrol a
   * new one; audited; never your own.
   */
  @Allow(Permission.StaffManage)
  @Post(':id/totp/reset')
  @HttpCode(204)
  @ApiNoContentResponse()
  resetTotp(@Ctx() ctx: RequestContext, @Param('id', UuidParam) id: string): Promise<void> {
    return this.staff.resetTotp(ctx, id);
  }
}
