import {
  describeFailure,
  MAX_RETRY_DELAY_SECONDS,
  PermanentJobError,
  retryDelaySeconds,
} from './job-failure';

describe('retryDelaySeconds', () => {
  const noJitter = () => 0;

  it('doubles with each attempt, starting at two seconds', () => {
    expect([1, 2, 3, 4, 5, 10].map((a) => retryDelaySeconds(a, noJitter))).toEqual([2, 4, 8, 16, 32, 1024]);
  });

  it('is capped at an hour, also for absurd attempt counts', () => {
    expect(retryDelaySeconds(12, noJitter)).toBe(MAX_RETRY_DELAY_SECONDS);
    expect(retryDelaySeconds(1000, noJitter)).toBe(MAX_RETRY_DELAY_SECONDS);
  });

  it('treats zero or negative attempts as the first', () => {
    expect(retryDelaySeconds(0, noJitter)).toBe(2);
    expect(retryDelaySeconds(-3, noJitter)).toBe(2);
  });

  it('adds at most ten percent jitter', () => {
    expect(retryDelaySeconds(5, () => 0.999999)).toBe(35);
    expect(retryDelaySeconds(12, () => 0.999999)).toBe(3960);
    for (let i = 0; i < 200; i++) {
      const d = retryDelaySeconds(6);
      expect(d).toBeGreaterThanOrEqual(64);
      expect(d).toBeLessThanOrEqual(70);
    }
  });
});

describe('describeFailure', () => {
  it('keeps name and message but never the stack', () => {
    const err = new TypeError('cannot read x');
    expect(describeFailure(err)).toBe('TypeError: cannot read x');
    expect(describeFailure(new PermanentJobError('record gone'))).toBe('PermanentJobError: record gone');
  });

  it('blanks national ids, phone numbers and e-mail addresses', () => {
    const msg = describeFailure(
      new Error('sms to 138-1234-5678 for 11010119900307123X (zhang.san@example.com) failed, HTTP 503'),
    );
    expect(msg).toBe('Error: sms to [number] for [number] ([email]) failed, HTTP 503');
  });

  it('flattens newlines and truncates long messages', () => {
    const msg = describeFailure(new Error(`line one\nline two ${'x'.repeat(1000)}`));
    expect(msg.startsWith('Error: line one line two x')).toBe(true);
    expect(msg).toHaveLength(500);
    expect(msg.endsWith('…')).toBe(true);
  });

  it('describes thrown non-errors', () => {
    expect(describeFailure('plain string')).toBe('Error: plain string');
    expect(describeFailure(undefined)).toBe('Error: undefined');
  });
});
