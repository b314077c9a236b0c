import { Injectable } from '@nestjs/common';
import type { RequestContext } from '../../../api/context/request-context';
import { ComplaintsPublicService } from './complaints-public.service';
import type {
  CategoryView,
  FileComplaintInput,
  FiledComplaint,
  PublicComplaintView,
  PublicComplaintQuery,
  PublicUpdateView,
  PostUpdateInput,
} from './complaints-public.types';

export type {
  Open311Datatype,
  CategoryAttributeView,
  CategoryView,
  ComplaintChannel,
  ComplaintUrgency,
  FileComplaintInput,
  FiledComplaint,
  ExtendedStatus,
  PublicComplaintView,
  PublicComplaintQuery,
  PublicUpdateView,
  PostUpdateInput,
} from './complaints-public.types';

/** The public (Open311-shaped) face of the complaints module (types in complaints-public.types.ts). */
@Injectable()
export class ComplaintsPublic {
  constructor(private readonly service: ComplaintsPublicService) {}

  categories(ctx: RequestContext): Promise<CategoryView[]> {
    return this.service.categories(ctx);
  }

  category(ctx: RequestContext, code: string): Promise<CategoryView | null> {
    return this.service.category(ctx, code);
  }

  /** ctx.actor may be an API key, a citizen or anonymous. Validation errors throw DomainError. */
  file(ctx: RequestContext, input: FileComplaintInput): Promise<FiledComplaint> {
    return this.service.file(ctx, input);
  }

  list(ctx: RequestContext, q: PublicComplaintQuery): Promise<PublicComplaintView[]> {
    return this.service.list(ctx, q);
  }

  get(ctx: RequestContext, id: string): Promise<PublicComplaintView | null> {
    return this.service.get(ctx, id);
  }

  byToken(ctx: RequestContext, trackingCode: string): Promise<{ id: string | null } | null> {
    return this.service.byToken(ctx, trackingCode);
  }

  updates(ctx: RequestContext, q: { from?: Date; to?: Date; limit: number }): Promise<PublicUpdateView[]> {
    return this.service.updates(ctx, q);
  }

  /** A follow-up from the public; `status: 'reopen'` on a closed order asks for 重办. */
  /**
   * A follow-up on an order by its public number. `within`: a permission the caller must hold over
   * the order's dispatch centre (an integrator's key reaches the orders of its own units only);
   * an order out of reach answers null, as a missing one does.
   */
  postUpdate(
    ctx: RequestContext,
    requestId: string,
    input: PostUpdateInput,
    within?: string,
  ): Promise<{ updateId: string } | null> {
    return this.service.postUpdate(ctx, requestId, input, within);
  }
}
