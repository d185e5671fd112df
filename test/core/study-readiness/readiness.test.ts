import { checkStudyReadiness, isStudyReady, ReadinessInput } from '../../../src/core/study-readiness';

const LAST = '2025-01-01T10:00:00.000Z';
const at = (seconds: number) => new Date(Date.parse(LAST) + seconds * 1000);
const receiving = (extra: Partial<ReadinessInput> = {}): ReadinessInput => ({ status: 'RECEIVING', lastInstanceAt: LAST, ...extra });

describe('isStudyReady', () => {
  test('a single image is ready at once', () => {
    expect(checkStudyReadiness(receiving({ singleImage: true }), 1, at(0), 300)).toEqual({ ready: true, reason: 'SINGLE_IMAGE' });
  });

  test('ready when the expected instance count is reached, before the quiet period', () => {
    expect(isStudyReady(receiving({ expectedInstances: 3 }), 2, at(1), 300)).toBe(false);
    expect(checkStudyReadiness(receiving({ expectedInstances: 3 }), 3, at(1), 300).reason).toBe('EXPECTED_COUNT_REACHED');
  });

  test('otherwise ready only once the quiet period has passed since the last instance', () => {
    expect(isStudyReady(receiving(), 5, at(299), 300)).toBe(false);
    expect(checkStudyReadiness(receiving(), 5, at(300), 300)).toEqual({ ready: true, reason: 'QUIET_PERIOD_ELAPSED' });
  });

  test('a study with no instances is never ready', () => {
    expect(isStudyReady(receiving(), 0, at(10_000), 300)).toBe(false);
  });

  test('only RECEIVING studies can become ready', () => {
    for (const status of ['READY', 'ANALYZING', 'COMPLETED', 'FAILED']) {
      expect(checkStudyReadiness({ status, singleImage: true, lastInstanceAt: LAST }, 1, at(10_000), 300).reason).toBe('NOT_RECEIVING');
    }
  });

  test('an unreadable arrival time does not hold the study forever', () => {
    expect(isStudyReady(receiving({ lastInstanceAt: 'garbage' }), 2, at(0), 300)).toBe(true);
  });
});
