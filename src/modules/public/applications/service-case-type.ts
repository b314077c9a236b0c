import { Injectable, OnModuleInit } from '@nestjs/common';
import type { FieldError } from '../../../api/errors/domain-error';
import { Db } from '../../../database/db';
import { CaseSubject, CaseTypeRegistry } from '../../internal/workflow/case-type';
import { WorkflowDefinitionsService } from '../../internal/workflow/workflow-definitions.service';
import type { TimeLimit, WorkflowSpec } from '../../internal/workflow/workflow-spec';
import { CatalogService } from '../catalog/catalog.service';
import { personalFields } from '../catalog/form-schema';
import { Service, ServiceVersion } from '../catalog/service.entity';
import { serviceById, versionById } from '../catalog/catalog-reads';
import { ApplicationTransitions } from './application-transitions';

/** The catalogue's case type: one subject per service, keyed by the service id. */
export const SERVICE_CASE_TYPE = 'service';

/** What the engine hands back to the transitions of a case it opened (saves reading the service). */
interface ServiceHeld {
  service: Service;
  version: ServiceVersion | null;
}

/**
 * Registers the catalogue's services as a case type with the workflow engine: the service's
 * implementing unit handles its cases and owns its workflow versions, its region's calendar counts
 * the clock, the guide's promised (else legal) limit is the clock's default, and each transition
 * updates the application (ApplicationTransitions). It also adds the catalogue's rules on
 * workflows: publication needs an active one within the guide's limit, with no guard on a personal
 * field; activation needs the limit rule against the published guide.
 */
@Injectable()
export class ServiceCaseType implements OnModuleInit {
  constructor(
    private readonly db: Db,
    private readonly registry: CaseTypeRegistry,
    private readonly catalog: CatalogService,
    private readonly definitions: WorkflowDefinitionsService,
    private readonly transitions: ApplicationTransitions,
  ) {}

  onModuleInit(): void {
    this.registry.register({
      key: SERVICE_CASE_TYPE,
      title: { 'zh-CN': '政务服务事项', en: 'Government service' },
      subjectResource: 'service',
      subject: (key, options) => this.subject(key, options),
      checkDefinition: async (key, spec) => {
        const version = await this.publishedVersion(key);
        return version ? limitProblems(spec, version) : [];
      },
      onTransition: (ctx, t) => this.transitions.apply(ctx, t),
    });
    this.catalog.addPublishCheck((service, version) => this.publishCheck(service.id, version));
  }

  private async subject(
    serviceId: string,
    options: { lock?: boolean; loaded?: unknown },
  ): Promise<CaseSubject | null> {
    const loaded = options.loaded as ServiceHeld | undefined;
    if (!isUuid(serviceId)) return null;
    const service = loaded?.service ?? (await serviceById(this.db, serviceId, { lock: options.lock }));
    if (!service) return null;
    const version = loaded ? loaded.version : await this.publishedVersion(service);
    const guide = version?.content.guide;
    return {
      organisationId: service.organisationId,
      regionCode: service.regionCode,
      limits: { promised: guide?.promisedLimit, legal: guide?.legalLimit },
      serviceId: service.id,
      held: service,
    };
  }

  /** Publishing needs an active workflow whose clock fits within the guide's promised time limit. */
  private async publishCheck(serviceId: string, version: ServiceVersion): Promise<FieldError[]> {
    const active = await this.definitions.activeDefinition(SERVICE_CASE_TYPE, serviceId);
    if (!active)
      return [
        {
          pointer: '/workflow',
          code: 'activeWorkflowRequired',
          message: 'the service needs an active workflow before it is published',
        },
      ];
    return [...limitProblems(active.spec, version), ...personalGuardProblems(active.spec, version)];
  }

  private async publishedVersion(service: Service | string): Promise<ServiceVersion | null> {
    const row =
      typeof service === 'string' ? (isUuid(service) ? await serviceById(this.db, service) : null) : service;
    if (!row?.currentPublishedVersionId) return null;
    return versionById(this.db, row.currentPublishedVersionId);
  }
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Subject keys of other case types need not be uuids; a service id always is (and SQL wants one). */
const isUuid = (s: string): boolean => UUID_RE.test(s);

/**
 * A guard on a personal form field (x-personal) could never hold: the case gets only the plain
 * answers, personal ones stay sealed with the application. Refused at publication, by pointer.
 */
function personalGuardProblems(spec: WorkflowSpec, version: ServiceVersion): FieldError[] {
  const personal = personalFields(version.content.form);
  if (!personal.size) return [];
  const problems: FieldError[] = [];
  const paths = (node: unknown, out: string[]): string[] => {
    if (node && typeof node === 'object') {
      const path = (node as { path?: unknown }).path;
      if (typeof path === 'string') out.push(path);
      for (const v of Object.values(node)) paths(v, out);
    }
    return out;
  };
  spec.stages.forEach((stage, i) =>
    stage.actions.forEach((action, j) => {
      for (const path of paths(action.guard, [])) {
        const field = /^\/form\/([^/]+)/.exec(path)?.[1]?.replace(/~1/g, '/').replace(/~0/g, '~');
        if (field && personal.has(field))
          problems.push({
            pointer: '/workflow',
            code: 'personalGuard',
            message: `stages/${i}/actions/${j}: the guard reads ${path}, a personal field the case never holds`,
          });
      }
    }),
  );
  return problems;
}

/**
 * The case clock may not promise more than the guide does (承诺时限, else 法定时限). Different units
 * only compare through a calendar, so they are refused, as the catalogue does for its own limits.
 */
function limitProblems(spec: WorkflowSpec, version: ServiceVersion): FieldError[] {
  const own: TimeLimit | undefined = spec.clock.limit;
  const guide = version.content.guide;
  const bound = guide.promisedLimit ?? guide.legalLimit;
  if (!own || !bound) return [];
  // The catalogue's TimeUnit and the calendar's ClockUnit share their string values.
  if (String(own.unit) !== String(bound.unit))
    return [
      {
        pointer: '/workflow/clock/limit',
        code: 'sameUnit',
        message: "the workflow's time limit must use the unit of the guide's promised time limit",
      },
    ];
  if (own.amount > bound.amount)
    return [
      {
        pointer: '/workflow/clock/limit',
        code: 'notAbovePromised',
        message: "the workflow's time limit may not exceed the guide's promised time limit",
      },
    ];
  return [];
}
