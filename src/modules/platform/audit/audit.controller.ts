import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { Allow, Public } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { AuditQueryService } from './audit-query.service';
import {
  AuditLeafDto,
  CheckpointDto,
  ConsistencyProofDto,
  ConsistencyProofQueryDto,
  InclusionProofDto,
  InclusionProofQueryDto,
  LeafParamsDto,
  PublicKeyDto,
} from './dto/audit.dto';
import { WitnessedCheckpointDto, WitnessedQueryDto, WitnessRequestDto } from './dto/witness.dto';
import { WitnessService } from './witness/witness.service';

/** The verifiable audit log: signed tree heads anyone can check, leaves and proofs for auditors. */
@ApiTags('audit')
@Controller({ path: 'audit', version: '1' })
export class AuditController {
  constructor(
    private readonly audit: AuditQueryService,
    private readonly witness: WitnessService,
  ) {}

  /** The latest signed tree head (C2SP checkpoint); publish it, compare it, have witnesses cosign it. */
  @Public()
  @Get('checkpoint')
  @ApiOkResponse({ type: CheckpointDto })
  checkpoint(@Ctx() ctx: RequestContext): Promise<CheckpointDto> {
    return this.audit.checkpoint(ctx);
  }

  /** The Ed25519 key checkpoints are signed with. */
  @Public()
  @Get('public-key')
  @ApiOkResponse({ type: PublicKeyDto })
  publicKey(@Ctx() ctx: RequestContext): PublicKeyDto {
    return this.audit.publicKey(ctx);
  }

  /** Proves that the tree of size `from` is a prefix of the tree of size `to` (nothing was rewritten). */
  @Public()
  @Get('consistency-proof')
  @ApiOkResponse({ type: ConsistencyProofDto })
  consistencyProof(
    @Ctx() ctx: RequestContext,
    @Query() query: ConsistencyProofQueryDto,
  ): Promise<ConsistencyProofDto> {
    return this.audit.consistencyProof(ctx, query);
  }

  /**
   * Witnesses another OneWindow log's checkpoint (AUDIT_WITNESS_TRUSTED_KEYS lists the logs): checks its
   * signature and the consistency proof from the last size witnessed, keeps it and cosigns it. Open to
   * anyone, since only the trusted log's key can make a checkpoint it accepts.
   */
  @Public()
  @Post('witness')
  @HttpCode(200)
  @ApiOkResponse({ type: WitnessedCheckpointDto })
  addToWitness(@Ctx() ctx: RequestContext, @Body() body: WitnessRequestDto): Promise<WitnessedCheckpointDto> {
    return this.witness.add(ctx, body);
  }

  /** The newest checkpoint this instance witnessed for a log, cosigned: what that log must still extend. */
  @Public()
  @Get('witnessed')
  @ApiOkResponse({ type: WitnessedCheckpointDto })
  witnessed(@Ctx() ctx: RequestContext, @Query() query: WitnessedQueryDto): Promise<WitnessedCheckpointDto> {
    return this.witness.latest(ctx, query);
  }

  @Allow(Permission.AuditRead)
  @Get('leaves/:seq')
  @ApiOkResponse({ type: AuditLeafDto })
  leaf(@Ctx() ctx: RequestContext, @Param() params: LeafParamsDto): Promise<AuditLeafDto> {
    return this.audit.leaf(ctx, params.seq);
  }

  /** Proves the leaf is in the tree of the given size (default: the latest checkpoint). */
  @Allow(Permission.AuditRead)
  @Get('leaves/:seq/inclusion-proof')
  @ApiOkResponse({ type: InclusionProofDto })
  inclusionProof(
    @Ctx() ctx: RequestContext,
    @Param() params: LeafParamsDto,
    @Query() query: InclusionProofQueryDto,
  ): Promise<InclusionProofDto> {
    return this.audit.inclusionProof(ctx, params.seq, query);
  }
}
