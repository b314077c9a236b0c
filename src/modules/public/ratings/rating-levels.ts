// The five levels of 好差评 (国办发〔2019〕51号, GB/T 39734-2020) and the channels a rating comes through. Pure.

/** 非常满意 … 非常不满意; the last two are bad ratings (差评). Stored as scores 5 … 1. */
export enum RatingLevel {
  VerySatisfied = 'very_satisfied',
  Satisfied = 'satisfied',
  BasicallySatisfied = 'basically_satisfied',
  Dissatisfied = 'dissatisfied',
  VeryDissatisfied = 'very_dissatisfied',
}

export const LEVEL_SCORE: Record<RatingLevel, number> = {
  [RatingLevel.VerySatisfied]: 5,
  [RatingLevel.Satisfied]: 4,
  [RatingLevel.BasicallySatisfied]: 3,
  [RatingLevel.Dissatisfied]: 2,
  [RatingLevel.VeryDissatisfied]: 1,
};

const BY_SCORE = new Map(Object.entries(LEVEL_SCORE).map(([level, score]) => [score, level as RatingLevel]));

export const levelOf = (score: number): RatingLevel => BY_SCORE.get(score)!;

/** 差评: 不满意 and 非常不满意. */
export const isBad = (score: number): boolean => score <= 2;

export const LEVEL_TITLES: Record<RatingLevel, { 'zh-CN': string; en: string }> = {
  [RatingLevel.VerySatisfied]: { 'zh-CN': '非常满意', en: 'Very satisfied' },
  [RatingLevel.Satisfied]: { 'zh-CN': '满意', en: 'Satisfied' },
  [RatingLevel.BasicallySatisfied]: { 'zh-CN': '基本满意', en: 'Basically satisfied' },
  [RatingLevel.Dissatisfied]: { 'zh-CN': '不满意', en: 'Dissatisfied' },
  [RatingLevel.VeryDissatisfied]: { 'zh-CN': '非常不满意', en: 'Very dissatisfied' },
};

/** Where the rating was given (评价渠道). */
export enum RatingChannel {
  Portal = 'portal',
  App = 'app',
  MiniProgram = 'mini_program',
  Hall = 'hall',
  Sms = 'sms',
  Hotline = 'hotline',
  /** recorded by the silence rule, nobody rated */
  System = 'system',
}

/** Who gave it: the rater, or the silence rule (no rating within the period counts as 基本满意). */
export enum RatingSource {
  Rater = 'rater',
  Default = 'default',
}

/** How the rater judges the rectification of their bad rating (municipal rules: three levels). */
export enum RectificationSatisfaction {
  Satisfied = 'satisfied',
  BasicallySatisfied = 'basically_satisfied',
  Dissatisfied = 'dissatisfied',
}

export enum RectificationStatus {
  /** being verified and rectified by the unit */
  Open = 'open',
  /** the unit answered the rater (the public result) */
  Answered = 'answered',
}

export enum RectificationOutcome {
  Rectified = 'rectified',
  Explained = 'explained',
}

export enum AppealStatus {
  Pending = 'pending',
  Upheld = 'upheld',
  Rejected = 'rejected',
}

/**
 * 满意率 as GB/T 39734-2020 App. B publishes it: ratings at 非常满意, 满意 or 基本满意 over all
 * ratings counted (excluded ones left out), as a fraction 0…1 with four decimals; null without any.
 */
export function satisfactionRate(counts: number[], total: number): number | null {
  if (!total) return null;
  const good = counts[5] + counts[4] + counts[3];
  return Math.round((good / total) * 10_000) / 10_000;
}

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Free text of 1…max characters without control characters (newlines allowed), or the rule broken. */
export function textRule(value: unknown, max: number): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (!value.trim()) return 'must not be empty';
  if (Array.from(value).length > max) return `must be at most ${max} characters`;
  if (CONTROL_RE.test(value) || Buffer.from(value, 'utf8').toString('utf8') !== value)
    return 'must not contain control characters';
  return null;
}
