import { Inject, Injectable, StreamableFile } from '@nestjs/common';
import { declarePermissions } from '../../../api/auth/permission-registry';
import { PRINCIPAL_RESOLVER, PrincipalResolver } from '../../../api/auth/principal-resolver';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { IdempotencyService } from '../../../api/http/idempotency.service';
import { APP_CONFIG, AppConfig } from '../../../config/config';
import { ComplaintsPublic } from '../complaints/complaints-public';
import {
  createdDoc,
  discoveryDoc,
  requestDoc,
  requestsDoc,
  serviceDefinitionDoc,
  servicesDoc,
  SHAPES,
  tokenDoc,
  updateCreatedDoc,
  updatesDoc,
} from './open311-documents';
import { Open311Error, OPEN311_PREFIX } from './open311-errors';
import { dateWindow, formatParam, paging, Params, RawParams } from './open311-params';
import { fileInput, renamedForOpen311, updateInput } from './open311-submissions';
import { CONTENT_TYPES, encode, Open311Format, w3cDate, WireObject, XmlShape } from './open311-wire';

export const Open311Permission = declarePermissions({
  Submit: {
    name: 'open311:submit',
    description:
      'File service requests and post updates through Open311 GeoReport v2 (an integrator API key scope)',
    roles: ['org_admin'],
  },
});

/** A document in the requested format, with the spec's content type (no module touches Express). */
function answer(format: Open311Format, doc: WireObject | WireObject[], shape: XmlShape): StreamableFile {
  const bytes = Buffer.from(encode(format, doc, shape), 'utf8');
  return new StreamableFile(bytes, { type: CONTENT_TYPES[format], length: bytes.length });
}

const STATUSES = ['open', 'closed'] as const;
const KEY_PARAMS = { argument: 'api_key', scope: 'open311:submit' };

/** What an Idempotency-Key binds: the resource (not its format) and the form, less the key itself. */
function retried(resource: string, raw: RawParams) {
  const { api_key: _secret, ...form } = raw;
  return { method: 'POST', path: `${OPEN311_PREFIX}/${resource}`, body: form, status: 200 };
}

/**
 * Open311 GeoReport v2 over the complaints module's public face (ComplaintsPublic): the same
 * service layer as the REST and GraphQL complaint APIs, so a request filed here is a work order
 * in the dispatch queue like any other, and its status, notes and updates come back from it.
 */
@Injectable()
export class Open311Service {
  /** discovery's changeset: categories can change with any release, so the process start */
  private readonly startedAt = w3cDate(new Date());

  constructor(
    private readonly complaints: ComplaintsPublic,
    @Inject(PRINCIPAL_RESOLVER) private readonly principals: PrincipalResolver,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly idempotency: IdempotencyService,
  ) {}

  discovery(_ctx: RequestContext, suffix: string): StreamableFile {
    const format = formatParam(suffix);
    const base = this.config.publicBaseUrl.replace(/\/+$/, '');
    const doc = discoveryDoc({
      changeset: this.startedAt,
      contact: `Open311 GeoReport v2 of ${this.config.open311JurisdictionId}; API documentation at ${base}/docs`,
      keyService:
        'API keys are issued by a unit administrator (POST /v1/api-keys with the scope open311:submit)',
      url: `${base}${OPEN311_PREFIX}`,
      type: this.config.env === 'production' ? 'production' : 'test',
    });
    return answer(format, doc, SHAPES.discovery);
  }

  async services(ctx: RequestContext, suffix: string, query: RawParams): Promise<StreamableFile> {
    const format = this.open(suffix, query);
    return answer(format, servicesDoc(await this.complaints.categories(ctx)), SHAPES.services);
  }

  async serviceDefinition(
    ctx: RequestContext,
    code: string,
    suffix: string,
    query: RawParams,
  ): Promise<StreamableFile> {
    const format = this.open(suffix, query);
    const category = await this.complaints.category(ctx, code);
    if (!category) throw notFound('open311Service');
    return answer(format, serviceDefinitionDoc(category), SHAPES.serviceDefinition);
  }

  /** With an Idempotency-Key, a retry (in either format) answers the first filing, under the caller's key. */
  async createRequest(
    ctx: RequestContext,
    suffix: string,
    body: unknown,
    contentType: string | undefined,
    idempotencyKey?: string,
  ): Promise<StreamableFile> {
    const form = await this.submission(ctx, suffix, body, contentType);
    const input = fileInput(new Params(form.raw));
    if (!(await this.complaints.category(ctx, input.categoryCode))) throw notFound('open311Service');
    const filed = await this.idempotency.once(ctx, idempotencyKey, retried('requests', form.raw), () =>
      renamedForOpen311(() => this.complaints.file(ctx, input)),
    );
    return answer(form.format, createdDoc(filed), SHAPES.serviceRequests);
  }

  async token(ctx: RequestContext, token: string, suffix: string, query: RawParams): Promise<StreamableFile> {
    const format = this.open(suffix, query);
    const found = token.length <= 100 ? await this.complaints.byToken(ctx, token) : null;
    if (!found) throw notFound('open311Token');
    return answer(format, tokenDoc(token, found.id), SHAPES.serviceRequests);
  }

  async requests(ctx: RequestContext, suffix: string, query: RawParams): Promise<StreamableFile> {
    const format = this.open(suffix, query);
    const p = new Params(query);
    const ids = p.list('service_request_id');
    const page = paging(p);
    if (ids) {
      // The spec: service_request_id overrides every other argument.
      p.done();
      const rows = await this.complaints.list(ctx, { ids, limit: page.limit, offset: page.offset });
      return answer(format, requestsDoc(rows), SHAPES.serviceRequests);
    }
    const categoryCodes = p.list('service_code');
    const statuses = p.list('status', STATUSES.length, 10);
    for (const s of statuses ?? [])
      if (!(STATUSES as readonly string[]).includes(s.toLowerCase()))
        p.fail('status', 'isIn', 'must list open and/or closed');
    const window = dateWindow(p);
    p.done();
    const rows = await this.complaints.list(ctx, {
      categoryCodes,
      from: window!.from,
      to: window!.to,
      status: statuses?.map((s) => s.toLowerCase() as (typeof STATUSES)[number]),
      ...page,
    });
    return answer(format, requestsDoc(rows), SHAPES.serviceRequests);
  }

  async request(ctx: RequestContext, id: string, suffix: string, query: RawParams): Promise<StreamableFile> {
    const format = this.open(suffix, query);
    const found = id.length <= 100 ? await this.complaints.get(ctx, id) : null;
    if (!found) throw notFound('open311Request');
    return answer(format, [requestDoc(found)], SHAPES.serviceRequests);
  }

  /** GET servicerequestupdates: public; the api_key FixMyStreet sends along is not needed. */
  async updates(ctx: RequestContext, suffix: string, query: RawParams): Promise<StreamableFile> {
    const format = this.open(suffix, query);
    const p = new Params(query);
    const window = dateWindow(p);
    const { limit } = paging(p);
    p.done();
    const rows = await this.complaints.updates(ctx, { ...window, limit });
    return answer(format, updatesDoc(rows), SHAPES.updates);
  }

  async postUpdate(
    ctx: RequestContext,
    suffix: string,
    body: unknown,
    contentType: string | undefined,
    idempotencyKey?: string,
  ): Promise<StreamableFile> {
    const form = await this.submission(ctx, suffix, body, contentType);
    const { requestId, input } = updateInput(new Params(form.raw));
    const posted = await this.idempotency.once(
      ctx,
      idempotencyKey,
      retried('servicerequestupdates', form.raw),
      () =>
        renamedForOpen311(() => this.complaints.postUpdate(ctx, requestId, input, Open311Permission.Submit)),
    );
    if (!posted) throw notFound('open311Request');
    return answer(form.format, updateCreatedDoc(posted.updateId), SHAPES.updates);
  }

  /** The format, and the jurisdiction checked: optional (one is served), any other one 404. */
  private open(suffix: string, raw: RawParams): Open311Format {
    const format = formatParam(suffix);
    const p = new Params(raw);
    const jurisdiction = p.text('jurisdiction_id', 253);
    p.done();
    if (jurisdiction !== undefined && jurisdiction.trim().toLowerCase() !== this.config.open311JurisdictionId)
      throw new DomainError(Open311Error.JurisdictionUnknown, { argument: 'jurisdiction_id' });
    return format;
  }

  /**
   * A POST: a form body (refused otherwise), the jurisdiction, then the caller: `api_key` in the
   * form (the spec's place), else the credential the request carried (X-API-Key, a bearer token),
   * which must hold open311:submit. Nothing is read or written before these pass.
   */
  private async submission(
    ctx: RequestContext,
    suffix: string,
    body: unknown,
    contentType: string | undefined,
  ): Promise<{ format: Open311Format; raw: RawParams }> {
    const format = formatParam(suffix);
    const media = (contentType ?? '').split(';')[0].trim().toLowerCase();
    if (
      media !== 'application/x-www-form-urlencoded' ||
      !body ||
      typeof body !== 'object' ||
      Array.isArray(body)
    )
      throw new DomainError(Open311Error.FormRequired, { mediaType: 'application/x-www-form-urlencoded' });
    const raw = body as RawParams;
    const key = new Params(raw).text('api_key', 200);
    if (key !== undefined) {
      try {
        ctx.actor = await this.principals.resolve({ apiKey: key });
      } catch {
        throw new DomainError(Open311Error.ApiKeyInvalid, KEY_PARAMS);
      }
    }
    if (!ctx.has(Open311Permission.Submit))
      throw new DomainError(
        ctx.isAnonymous ? Open311Error.ApiKeyRequired : Open311Error.ApiKeyInvalid,
        KEY_PARAMS,
      );
    this.open(suffix, raw);
    return { format, raw };
  }
}
