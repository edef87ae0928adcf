import type { JournalEvent } from '../journal/events.js';
import type { RunReport } from './run-report.js';

export function renderHtml(report: RunReport, events: readonly JournalEvent[]): string {
  return `<!doctype html><title>${report.run_id}</title>${events.length}`;
}
