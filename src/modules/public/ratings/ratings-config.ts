import { ConfigError } from '../../../config/config';

/** RATING_* settings (好差评), read once at start-up; a bad value stops the boot. */
export interface RatingsConfig {
  /**
   * Natural days after an item is handled during which its rater may rate it; a rating still
   * missing then is recorded as 基本满意 by the silence job (粤办函〔2020〕21号: 7 natural days).
   */
  silenceDays: number;
  /** working days (the unit's region calendar) a unit has to rectify or explain a bad rating */
  rectifyWorkingDays: number;
  /** RATING_FIGURES_CACHE=off: public figures read the database every time (bench cold runs, incidents) */
  figuresCache: boolean;
}

export const RATINGS_CONFIG = Symbol('RATINGS_CONFIG');

function int(env: NodeJS.ProcessEnv, name: string, def: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return def;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be an integer, got "${raw}"`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

function onOff(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name] ?? 'on';
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(`${name} must be on or off, got "${raw}"`);
  return raw === 'on';
}

export function ratingsConfig(env: NodeJS.ProcessEnv = process.env): RatingsConfig {
  return {
    silenceDays: int(env, 'RATING_SILENCE_DAYS', 7, 1, 90),
    rectifyWorkingDays: int(env, 'RATING_RECTIFY_WORKING_DAYS', 5, 1, 60),
    figuresCache: onOff(env, 'RATING_FIGURES_CACHE'),
  };
}
