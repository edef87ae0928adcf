import { XMLBuilder } from 'fast-xml-parser';
import type { CheckResult } from '../evidence/check-result.js';
import { expectationOf } from '../evidence/verdict.js';
import type { LayoutName } from '../journal/events.js';
import type { RunReport } from './run-report.js';

/**
 * junit.xml in the common (Ant/Jenkins) JUnit shape, so CI systems show the gate natively:
 * one <testsuite> per layout with a test case for the layout's verdict and one per checker, and
 * one suite for the thresholds. It must validate against the Jenkins JUnit schema (junit-4.xsd,
 * the one most JUnit producers test against): so the skip reason is the text of <skipped>, which
 * that schema types as a plain string with no attributes, and <testsuites> carries no `skipped`
 * count (readers sum the suites' counts).
 *
 * In the legacy layout a checker that finds the bug is the expected outcome and passes; the
 * layout's own case fails if the bug did *not* show (the run had no power). Inconclusive cases
 * are failures unless the gate allows inconclusive runs, then skipped.
 */
interface TestCase {
  name: string;
  classname: string;
  outcome: 'pass' | 'fail' | 'skip';
  message: string;
  details: string;
}

export function renderJunit(report: RunReport): string {
  const suites = Object.keys(report.evidence).map((layout) => layoutSuite(report, layout as LayoutName));
  suites.push({ name: 'tokenrace.thresholds', cases: report.thresholds.map((result) => thresholdCase(report, result)) });
  const all = suites.flatMap((suite) => suite.cases);
  const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', format: true, suppressEmptyNode: true });
  return builder.build({
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    testsuites: {
      '@_name': `tokenrace ${report.command} ${report.run_id}`,
      ...totals(all),
      '@_time': seconds(report.duration_ms * Object.keys(report.evidence).length),
      testsuite: suites.map((suite) => ({
        '@_name': suite.name,
        ...counts(suite.cases),
        '@_time': seconds(report.duration_ms),
        properties: { property: properties(report) },
        testcase: suite.cases.map(renderCase),
      })),
    },
  }) as string;
}

function layoutSuite(report: RunReport, layout: LayoutName): { name: string; cases: TestCase[] } {
  const evidence = report.evidence[layout]!;
  const reproduce = expectationOf(layout) === 'reproduce';
  const classname = `tokenrace.${layout}`;
  const inconclusive = report.gate.allow_inconclusive ? 'skip' : 'fail';
  const layoutOutcome = reproduce
    ? evidence.verdict === 'fail' ? 'pass' : inconclusive
    : evidence.verdict === 'pass' ? 'pass' : evidence.verdict === 'fail' ? 'fail' : inconclusive;
  const layoutCase: TestCase = {
    name: reproduce ? `${layout} reproduces the bug` : `${layout} keeps every session`,
    classname,
    outcome: layoutOutcome,
    message: `${layout}: ${evidence.verdict}: ${evidence.headline}`,
    details: evidence.checks.map((check) => `${check.checker}: ${check.status}: ${check.summary}`).join('\n'),
  };
  return { name: classname, cases: [layoutCase, ...evidence.checks.map((check) => checkCase(classname, check, reproduce))] };
}

function checkCase(classname: string, check: CheckResult, reproduce: boolean): TestCase {
  const violation = check.first_violation;
  const details = violation
    ? `${violation.description}\n\n${violation.events.map((event) => JSON.stringify(event)).join('\n')}`
    : check.summary;
  const outcome = check.status === 'inconclusive' ? 'skip' : check.status === 'fail' && !reproduce ? 'fail' : 'pass';
  const expected = reproduce && check.status === 'fail' ? ' (expected in this layout)' : '';
  return { name: `checker ${check.checker}`, classname, outcome, message: `${check.status}: ${check.summary}${expected}`, details };
}

function thresholdCase(report: RunReport, result: RunReport['thresholds'][number]): TestCase {
  const observed = result.observed === null ? 'no samples' : `observed ${result.observed}`;
  const inconclusive = report.gate.allow_inconclusive ? 'skip' : 'fail';
  return {
    name: `threshold ${result.threshold}`,
    classname: 'tokenrace.thresholds',
    outcome: result.status === 'pass' ? 'pass' : result.status === 'fail' ? 'fail' : inconclusive,
    message: `${result.status} (${observed})`,
    details: `${result.threshold}: ${result.status}, ${observed}`,
  };
}

function renderCase(testCase: TestCase): Record<string, unknown> {
  const base = { '@_name': testCase.name, '@_classname': testCase.classname, '@_time': '0' };
  if (testCase.outcome === 'fail') {
    return { ...base, failure: { '@_message': testCase.message, '@_type': 'tokenrace', '#text': testCase.details } };
  }
  if (testCase.outcome === 'skip') return { ...base, skipped: testCase.message };
  return { ...base, 'system-out': `${testCase.message}\n${testCase.details}` };
}

function counts(cases: readonly TestCase[]): Record<string, string> {
  return {
    '@_tests': String(cases.length),
    '@_failures': String(cases.filter((c) => c.outcome === 'fail').length),
    '@_errors': '0',
    '@_skipped': String(cases.filter((c) => c.outcome === 'skip').length),
  };
}

function totals(cases: readonly TestCase[]): Record<string, string> {
  const { '@_tests': tests, '@_failures': failures, '@_errors': errors } = counts(cases);
  return { '@_tests': tests!, '@_failures': failures!, '@_errors': errors! };
}

function properties(report: RunReport): Array<Record<string, string>> {
  const facts: Record<string, string | number> = {
    run_id: report.run_id,
    verdict: report.verdict,
    isolation: report.isolation,
    profile: report.profile,
    seed: report.seed,
    workers: report.workers,
  };
  return Object.entries(facts).map(([name, value]) => ({ '@_name': name, '@_value': String(value) }));
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}
