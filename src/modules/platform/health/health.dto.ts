export class HealthDto {
  /** ok when every check passed */
  status: 'ok';
  /** per-dependency results */
  checks: Record<string, 'up'>;
  /** seconds since the process started */
  uptimeSeconds: number;
}
