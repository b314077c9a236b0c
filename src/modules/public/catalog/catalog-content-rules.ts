import type { FieldError } from '../../../api/errors/domain-error';
import { DomainError } from '../../../api/errors/domain-error';
import { ErrorCode } from '../../../api/errors/error-code';
import { IdentityAssurance } from '../../platform/identity/identity-assurance';
import { HandlingType, ServiceContentDto } from './dto/service-content.dto';
import { compileFormSchema } from './form-schema';
import { termsColumn } from './search-terms';
import type { Service } from './service.entity';

/**
 * The catalogue's rules on guide content, pure functions of the content: what every save checks,
 * what publication adds, and the columns a publication copies onto the service row for the public
 * reads (filters and search).
 */

export const invalid = (errors: FieldError[]): DomainError =>
  new DomainError(ErrorCode.ValidationFailed, { count: errors.length }, errors);

/** Rules across fields, checked on every save: text the database can hold, a form that compiles. */
export function checkContent(content: ServiceContentDto, base: string): void {
  // jsonb refuses lone UTF-16 surrogates ("\ud800"): answer 400 here rather than 500 from the database.
  const broken = illFormedAt(content, base);
  if (broken)
    throw invalid([{ pointer: broken, code: 'wellFormedText', message: 'text must be well-formed Unicode' }]);
  const compiled = compileFormSchema(content.form, `${base}/form`);
  if (compiled.errors.length) throw invalid(compiled.errors);
}

/** With the u flag a proper pair is one code point, so only an unpaired surrogate matches. */
const LONE_SURROGATE = /\p{Surrogate}/u;

function illFormedAt(value: unknown, pointer: string): string | null {
  if (typeof value === 'string') return LONE_SURROGATE.test(value) ? pointer : null;
  if (!value || typeof value !== 'object') return null;
  for (const [k, v] of Object.entries(value)) {
    const key = k.replace(/~/g, '~0').replace(/\//g, '~1');
    if (LONE_SURROGATE.test(k)) return `${pointer}/${key}`;
    const hit = illFormedAt(v, `${pointer}/${key}`);
    if (hit) return hit;
  }
  return null;
}

/** Publication rules (承诺时限 ≤ 法定时限; promised items list what must be brought). */
export function checkPublishable(content: ServiceContentDto): void {
  const errors: FieldError[] = [];
  const { guide } = content;
  const legal = guide.legalLimit;
  const promised = guide.promisedLimit;
  if (guide.handlingType === HandlingType.Promised) {
    if (!promised)
      errors.push({
        pointer: '/guide/promisedLimit',
        code: 'required',
        message: 'a promised item needs a promised time limit',
      });
    if (!guide.materials.some((m) => m.required))
      errors.push({
        pointer: '/guide/materials',
        code: 'requiredMaterials',
        message: 'a promised item must list its required materials',
      });
  }
  if (promised && legal) {
    // Working and natural days only compare through a calendar; refusing is the conservative answer.
    if (promised.unit !== legal.unit)
      errors.push({
        pointer: '/guide/promisedLimit/unit',
        code: 'sameUnit',
        message: 'the promised time limit must use the same unit as the legal one',
      });
    else if (promised.amount > legal.amount)
      errors.push({
        pointer: '/guide/promisedLimit/amount',
        code: 'notAboveLegal',
        message: 'the promised time limit may not exceed the legal time limit',
      });
  }
  const compiled = compileFormSchema(content.form, '/form');
  errors.push(...compiled.errors);
  if (errors.length) throw invalid(errors);
}

/** What a publication copies from the version onto the service row: titles, tags, search terms. */
export function publishedColumns(
  service: Service,
  content: ServiceContentDto,
): Pick<
  Service,
  'titleZh' | 'titleEn' | 'lifeEvents' | 'topics' | 'requiredAssurance' | 'titleTerms' | 'searchTerms'
> {
  const { guide, translations } = content;
  return {
    titleZh: translations['zh-CN'].title,
    titleEn: translations.en?.title ?? null,
    lifeEvents: guide.lifeEvents,
    topics: guide.topics,
    requiredAssurance: content.requiredAssurance ?? IdentityAssurance.None,
    titleTerms: termsColumn([translations['zh-CN'].title, translations.en?.title]),
    searchTerms: termsColumn([
      translations['zh-CN'].summary,
      translations.en?.summary,
      guide.conditions,
      ...guide.materials.map((m) => m.name),
      ...guide.steps,
      ...guide.faq.map((f) => f.q),
      ...guide.lifeEvents,
      ...guide.topics,
      service.implementationCode,
    ]),
  };
}
