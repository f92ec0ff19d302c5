import { describe, expect, it } from 'vitest';
import { LoginThrottle } from './login-throttle';

describe('LoginThrottle', () => {
  it('locks a username after the limit, per username, until the window passes', () => {
    let now = 1_000_000;
    const throttle = new LoginThrottle(3, 60_000, () => now);
    for (let i = 0; i < 3; i += 1) {
      expect(throttle.retryAfterMs('ada')).toBe(0);
      throttle.fail('ADA ');
    }
    expect(throttle.retryAfterMs('ada')).toBe(60_000);
    expect(throttle.retryAfterMs('grace')).toBe(0);
    now += 59_000;
    expect(throttle.retryAfterMs('ada')).toBe(1_000);
    now += 1_000;
    expect(throttle.retryAfterMs('ada')).toBe(0);
  });

  it('forgets failures after a success', () => {
    const throttle = new LoginThrottle(2, 60_000);
    throttle.fail('ada');
    throttle.succeed('ada');
    throttle.fail('ada');
    expect(throttle.retryAfterMs('ada')).toBe(0);
  });
});
