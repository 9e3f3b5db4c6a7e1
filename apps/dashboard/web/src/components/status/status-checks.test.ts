import { describe, expect, it } from 'vitest';
import { describeAnswer } from './status-checks';

describe('describeAnswer', () => {
  it('gives the state, status code and time', () => {
    expect(describeAnswer({ successStatus: true, statusCode: 200, timeTaken: 34.6, message: 'Up: HTTP 200' })).toEqual({ state: 'up', text: 'Up: HTTP 200 in 35 ms' });
    expect(describeAnswer({ successStatus: false, statusCode: 503, timeTaken: 12, message: 'Down: HTTP 503' })).toEqual({ state: 'down', text: 'Down: HTTP 503 in 12 ms' });
  });

  it('keeps the reason when no HTTP answer came', () => {
    expect(describeAnswer({ successStatus: false, statusCode: null, timeTaken: 3, message: 'Down: connection refused' })).toEqual({
      state: 'down',
      text: 'Down: connection refused',
    });
  });

  it('writes its own words when the server sent none', () => {
    expect(describeAnswer({ successStatus: false, statusCode: 500, timeTaken: 7, message: '' }).text).toBe('Down: HTTP 500 in 7 ms');
  });
});
