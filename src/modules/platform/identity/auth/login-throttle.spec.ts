import { LoginThrottle, THROTTLE_MAX_FAILURES, THROTTLE_WINDOW_MS } from './login-throttle';

describe('LoginThrottle', () => {
  it('refuses after the maximum failures until the window ends, per key', () => {
    const throttle = new LoginThrottle();
    const t0 = 1_000_000;
    for (let i = 0; i < THROTTLE_MAX_FAILURES - 1; i++) throttle.fail('ip|a', t0);
    expect(throttle.retryAfter('ip|a', t0)).toBe(0);
    throttle.fail('ip|a', t0);
    expect(throttle.retryAfter('ip|a', t0)).toBe(THROTTLE_WINDOW_MS / 1000);
    expect(throttle.retryAfter('ip|b', t0)).toBe(0);
    expect(throttle.retryAfter('ip|a', t0 + THROTTLE_WINDOW_MS)).toBe(0);
  });

  it('forgets a key on success', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < THROTTLE_MAX_FAILURES; i++) throttle.fail('k', 0);
    throttle.reset('k');
    expect(throttle.retryAfter('k', 0)).toBe(0);
  });
});
