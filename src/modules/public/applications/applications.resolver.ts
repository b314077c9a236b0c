import { Args, ID, Int, Mutation, ObjectType, Parent, Query, ResolveField, Resolver } from '@nestjs/graphql';
import { Allow } from '../../../api/auth/allow.decorator';
import { Permission } from '../../../api/auth/permission';
import { Ctx } from '../../../api/context/ctx.decorator';
import type { RequestContext } from '../../../api/context/request-context';
import { Connection, ConnectionShape, toConnection } from '../../../api/graphql/connection';
import { Loaders, RequestLoaders } from '../../../api/graphql/loaders';
import { JsonObjectScalar } from '../../../api/graphql/scalars';
import { ApplicationAttachmentsService } from './application-attachments.service';
import { ApplicationProgressService } from './application-progress.service';
import { APPLICATION_CURSOR, ApplicationsService } from './applications.service';
import { ApplicationDto, ApplicationTimelineEntryDto } from './dto/application.dto';
import {
  ApplicationAttachmentInput,
  CreateApplicationInput,
  MyApplicationsArgs,
  SupplementAnswerInput,
} from './dto/application.graphql';

@ObjectType()
export class ApplicationConnection extends Connection(ApplicationDto, 'Application') {}

const CASE_STAFF = [
  Permission.CaseHandle,
  Permission.CaseReview,
  Permission.CaseApprove,
  Permission.CaseSupervise,
];

@Resolver(() => ApplicationDto)
export class ApplicationsResolver {
  constructor(
    private readonly applications: ApplicationsService,
    private readonly progress: ApplicationProgressService,
    private readonly attachments: ApplicationAttachmentsService,
  ) {}

  @Allow(Permission.SelfService)
  @Query(() => ApplicationConnection, { description: 'My applications, newest first.' })
  async myApplications(
    @Ctx() ctx: RequestContext,
    @Args() args: MyApplicationsArgs,
  ): Promise<ConnectionShape<ApplicationDto>> {
    const page = await this.applications.listMine(ctx, {
      limit: args.first,
      cursor: args.after ?? undefined,
      status: args.status,
    });
    return toConnection(page.items, {
      cursorOf: (a) => APPLICATION_CURSOR.encode([a.id]),
      hasNextPage: page.nextCursor !== null,
      totalCount: page.count,
    });
  }

  @Allow(Permission.SelfService, ...CASE_STAFF)
  @Query(() => ApplicationDto, {
    description: 'One application: its applicant, or staff of its case (masked, audited).',
  })
  application(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('unmask', {
      type: () => [String],
      nullable: true,
      description: 'staff: personal form fields to show in clear (needs personal-data:unmask and a reason)',
    })
    unmask?: Array<string | null> | null,
    @Args('reason', { type: () => String, nullable: true, description: 'required with unmask; audited' })
    reason?: string | null,
  ): Promise<ApplicationDto> {
    return this.applications.get(ctx, id, { fields: unmask, reason });
  }

  @Allow(Permission.SelfService)
  @Mutation(() => ApplicationDto, {
    description:
      'Starts a draft for a published service. A retry with the same idempotencyKey returns the first answer.',
  })
  createApplication(
    @Ctx() ctx: RequestContext,
    @Args('input') input: CreateApplicationInput,
    @Args('idempotencyKey', { type: () => String, nullable: true }) idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    const dto = {
      serviceId: input.serviceId,
      formData: input.formData ?? undefined,
      businessAccountId: input.businessAccountId,
    };
    return this.applications.createOnce(ctx, dto, idempotencyKey);
  }

  @Allow(Permission.SelfService)
  @Mutation(() => ApplicationDto, {
    description: "Replaces a draft's form data (version: the one last read).",
  })
  updateApplication(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('formData', { type: () => JsonObjectScalar }) formData: Record<string, unknown>,
    @Args('version', { type: () => Int, nullable: true }) version?: number,
  ): Promise<ApplicationDto> {
    return this.applications.update(ctx, id, version ?? undefined, { formData });
  }

  @Allow(Permission.SelfService)
  @Mutation(() => Boolean, { description: 'Discards a draft.' })
  async discardApplication(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('version', { type: () => Int, nullable: true }) version?: number,
  ): Promise<boolean> {
    await this.applications.discard(ctx, id, version ?? undefined);
    return true;
  }

  @Allow(Permission.SelfService)
  @Mutation(() => ApplicationDto, {
    description:
      'Attaches an uploaded file (POST /v1/files) as a material. A retry with the same idempotencyKey returns the first answer.',
  })
  attachApplicationFile(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: ApplicationAttachmentInput,
    @Args('idempotencyKey', { type: () => String, nullable: true }) idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    return this.attachments.attachOnce(ctx, id, input, idempotencyKey);
  }

  @Allow(Permission.SelfService)
  @Mutation(() => ApplicationDto, {
    description: 'Removes an attachment (drafts, or files added while answering a supplement).',
  })
  detachApplicationFile(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('attachmentId', { type: () => ID }) attachmentId: string,
  ): Promise<ApplicationDto> {
    return this.attachments.detach(ctx, id, attachmentId);
  }

  @Allow(Permission.SelfService)
  @Mutation(() => ApplicationDto, {
    description: 'Submits a draft. A retry with the same idempotencyKey returns the first answer.',
  })
  submitApplication(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('idempotencyKey', { type: () => String, nullable: true }) idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    return this.applications.submitOnce(ctx, id, idempotencyKey);
  }

  @Allow(Permission.SelfService)
  @Mutation(() => ApplicationDto, {
    description:
      'The one answer to a supplement notice (补正). A retry with the same idempotencyKey returns the first answer.',
  })
  answerSupplement(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('input') input: SupplementAnswerInput,
    @Args('idempotencyKey', { type: () => String, nullable: true }) idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    const dto = { formData: input.formData ?? undefined, attachments: input.attachments };
    return this.progress.answerSupplementOnce(ctx, id, dto, idempotencyKey);
  }

  @Allow(Permission.SelfService)
  @Mutation(() => ApplicationDto, {
    description:
      'Withdraws the application before a decision (撤回). A retry with the same idempotencyKey returns the first answer.',
  })
  withdrawApplication(
    @Ctx() ctx: RequestContext,
    @Args('id', { type: () => ID }) id: string,
    @Args('reason', { type: () => String, nullable: true }) reason?: string,
    @Args('idempotencyKey', { type: () => String, nullable: true }) idempotencyKey?: string,
  ): Promise<ApplicationDto> {
    return this.progress.withdrawOnce(ctx, id, { reason: reason ?? undefined }, idempotencyKey);
  }

  @Allow(Permission.SelfService, ...CASE_STAFF)
  @ResolveField('timeline', () => [ApplicationTimelineEntryDto], { description: 'the status timeline' })
  timeline(
    @Ctx() ctx: RequestContext,
    @Parent() app: ApplicationDto,
    @RequestLoaders() loaders: Loaders,
  ): Promise<ApplicationTimelineEntryDto[]> {
    // Batched: a page of applications with their timelines reads them in a fixed number of statements.
    return loaders
      .get('application.timeline', (ids: readonly string[]) => this.progress.timelines(ctx, ids))
      .load(app.id);
  }
}
