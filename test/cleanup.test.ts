import { afterEach, describe, expect, it } from 'vitest';
import { runEnding, type Ending, type EndingResult } from '../harness/bench/run-endings.js';

/**
 * Whatever ends a run, nothing of it is left: no process carrying its marker, no mount under
 * its directories, no tokenrace-* temp dir. One real run per ending; bench/cleanup runs fifty.
 */
let result: EndingResult | null = null;
afterEach(async () => {
  await result?.remove();
  result = null;
});

const cases: Array<{ ending: Ending; codes: Array<number | null> }> = [
  { ending: 'normal', codes: [0, 1, 3] },
  { ending: 'sigint', codes: [130] },
  { ending: 'sigterm', codes: [130] },
  { ending: 'worker-crash', codes: [4] },
  // The report dir vanishes mid-run: the journal cannot be read back (ERR_JOURNAL_UNREADABLE,
  // exit 2) or the report cannot be written (exit 4); either way the run ends by an error.
  { ending: 'exception', codes: [2, 4] },
  { ending: 'time-budget', codes: [4] },
];

describe('cleanup as a guarantee', () => {
  for (const { ending, codes } of cases) {
    it(`leaves no process, mount or temp dir when a run ends by ${ending}`, async () => {
      result = await runEnding({ ending, durationMs: ending === 'normal' ? 300 : 3_000 });

      expect(codes).toContain(result.code);
      expect(result.leftovers).toEqual({ processes: [], mounts: [], tempDirs: [] });
    });
  }
});
