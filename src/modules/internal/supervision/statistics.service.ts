import { Injectable } from '@nestjs/common';
import { Permission } from '../../../api/auth/permission';
import type { RequestContext } from '../../../api/context/request-context';
import { DomainError, notFound } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { AccessService } from '../../platform/access/access.service';
import { startOfDay } from '../../platform/calendar/deadline';
import { OrganisationsService } from '../../platform/organisations/organisations.service';
import { CaseFigureRow, CaseStatistics } from '../workflow/case-statistics';
import { CaseTypeRegistry } from '../workflow/case-type';
import {
  CaseFiguresDto,
  CaseStatisticsDto,
  CaseStatisticsQueryDto,
  CaseStatisticsRowDto,
  MAX_STATISTICS_ROWS,
  StatisticsGroupBy,
} from './dto/statistics.dto';

const MAX_SPAN_YEARS = 5;

/**
 * Supervision statistics (督办统计): the workflow module's case figures (CaseStatistics, which owns
 * the SQL over case_file), scoped to the units the caller supervises.
 */
@Injectable()
export class StatisticsService {
  constructor(
    private readonly caseFigures: CaseStatistics,
    private readonly organisations: OrganisationsService,
    private readonly access: AccessService,
    private readonly caseTypes: CaseTypeRegistry,
  ) {}

  async cases(ctx: RequestContext, q: CaseStatisticsQueryDto): Promise<CaseStatisticsDto> {
    checkPeriod(q.from, q.to);
    const groupBy = q.groupBy ?? StatisticsGroupBy.Unit;
    const scope = ctx.scopeOf(Permission.CaseSupervise);
    if (scope !== '*' && !scope?.size) throw notFound('organisation');
    if (q.organisationId && !(await this.unitInScope(ctx, q.organisationId))) throw notFound('organisation');

    const rows = await this.caseFigures.figures(groupBy, {
      from: startOfDay(q.from),
      to: startOfDay(q.to),
      now: new Date(),
      scopeUnits: scope === '*' ? null : [...scope],
      organisationId: q.organisationId ?? null,
      serviceId: q.serviceId ?? null,
      caseType: q.caseType ?? null,
      maxRows: MAX_STATISTICS_ROWS,
    });
    const en = ctx.language === 'en';
    const [total, ...groups] = rows;
    return {
      from: q.from,
      to: q.to,
      groupBy,
      rows: groups.slice(0, MAX_STATISTICS_ROWS).map((r): CaseStatisticsRowDto => ({
        organisationId: r.organisation_id,
        organisationName: r.organisation_id ? (en && r.org_name_en) || r.org_name : null,
        serviceId: r.service_id,
        serviceTitle: r.service_id ? (en && r.title_en) || r.title_zh : null,
        caseType: r.case_type,
        caseTypeTitle: r.case_type
          ? (this.caseTypes.find(r.case_type)?.title[ctx.language] ?? r.case_type)
          : null,
        ...figures(r),
      })),
      totals: figures(total),
    };
  }

  private async unitInScope(ctx: RequestContext, unitId: string): Promise<boolean> {
    if (!(await this.organisations.unit(unitId))) return false;
    return (await this.access.unitGrant(ctx, [Permission.CaseSupervise], unitId)).allowed;
  }
}

function figures(r: CaseFigureRow): CaseFiguresDto {
  const completed = Number(r.completed);
  const onTime = Number(r.completed_on_time);
  return {
    received: Number(r.received),
    accepted: Number(r.accepted),
    inProgress: Number(r.in_progress),
    completed,
    completedOnTime: onTime,
    onTimeRate: completed ? Math.round((onTime / completed) * 10_000) / 10_000 : null,
    overdueNow: Number(r.overdue_now),
    averageHandlingWorkingDays: r.average_days === null ? null : Number(r.average_days),
  };
}

/** from < to, at most five years apart (the DTO already checked both are real dates). */
function checkPeriod(from: string, to: string): void {
  if (from >= to) {
    throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
      { pointer: '/to', code: 'isAfterFrom', message: 'to must be after from' },
    ]);
  }
  const [y, m, d] = from.split('-').map(Number);
  const limit = new Date(Date.UTC(y + MAX_SPAN_YEARS, m - 1, d)).toISOString().slice(0, 10);
  if (to > limit) {
    throw new DomainError(ErrorCode.ValidationFailed, { count: 1 }, [
      { pointer: '/to', code: 'maxSpan', message: `the period may span at most ${MAX_SPAN_YEARS} years` },
    ]);
  }
}
