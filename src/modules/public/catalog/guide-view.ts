import type { Language } from '../../../api/context/request-context';
import { ElderPublicGuideDto, PublicGuideDto } from './dto/catalog.dto';
import { HandlingType, TimeLimitDto, TimeUnit } from './dto/service-content.dto';
import type { Service, ServiceVersion } from './service.entity';

/** The published guide in one language: the English overrides where given, Chinese otherwise. */
export function localizedGuide(
  language: Language,
  service: Service,
  version: ServiceVersion,
): PublicGuideDto {
  const { guide, translations, form } = version.content;
  const zh = translations['zh-CN'];
  const local = language === 'en' ? translations.en : undefined;
  return {
    mode: 'standard',
    id: service.id,
    implementationCode: service.implementationCode,
    type: service.type,
    target: service.target,
    organisationId: service.organisationId,
    language: local ? 'en' : 'zh-CN',
    versionNumber: version.number,
    publishedAt: (version.publishedAt ?? version.createdAt).toISOString(),
    title: local?.title ?? zh.title,
    summary: local?.summary ?? zh.summary ?? null,
    requiredAssurance: service.requiredAssurance,
    guide: { ...guide, conditions: local?.conditions ?? zh.conditions ?? guide.conditions },
    form,
  };
}

/** 长辈版 (C10): the elder summary and steps, names instead of tables, sentences instead of codes. */
export function elderGuide(
  language: Language,
  service: Service,
  version: ServiceVersion,
): ElderPublicGuideDto {
  const { guide, translations, elder } = version.content;
  const en = language === 'en' && !!translations.en;
  const title = (en ? translations.en?.title : undefined) ?? translations['zh-CN'].title;
  return {
    mode: 'elder',
    id: service.id,
    language: en ? 'en' : 'zh-CN',
    versionNumber: version.number,
    title,
    summary: elder.summary,
    steps: elder.steps.slice(0, 5),
    requiredAssurance: service.requiredAssurance,
    materials: guide.materials.map((m) => m.name),
    timeLimit: timeLimitText(en, guide.handlingType, guide.promisedLimit ?? guide.legalLimit),
    visits: en
      ? guide.visitsRequired === 0
        ? 'No visit needed'
        : `At most ${guide.visitsRequired} visit(s)`
      : guide.visitsRequired === 0
        ? '一趟不用跑'
        : `最多跑 ${guide.visitsRequired} 次`,
    fees:
      guide.fees.length === 0
        ? en
          ? 'Free of charge'
          : '不收费'
        : guide.fees.map((f) => `${f.name} ${f.amount} ${en ? 'yuan' : '元'}`).join(en ? '; ' : '；'),
    places: guide.places.map((p) => `${p.name}，${p.address}，${p.hours}`),
    consultPhone: guide.consultPhone,
  };
}

const UNIT_ZH: Record<TimeUnit, string> = { working_days: '个工作日', natural_days: '天', hours: '小时' };
const UNIT_EN: Record<TimeUnit, string> = {
  working_days: 'working days',
  natural_days: 'days',
  hours: 'hours',
};

function timeLimitText(en: boolean, handling: HandlingType, limit: TimeLimitDto): string {
  if (handling === HandlingType.Immediate) return en ? 'Handled on the spot' : '当场办结';
  return en
    ? `Done within ${limit.amount} ${UNIT_EN[limit.unit]}`
    : `${limit.amount} ${UNIT_ZH[limit.unit]}内办结`;
}
