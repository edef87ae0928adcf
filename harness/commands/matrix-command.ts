import { setMaxListeners } from 'node:events';
import path from 'node:path';
import { installClaude } from '../client/claude-install.js';
import { invalidOption } from '../errors.js';
import { serverSettingsSchema } from '../endpoint/server-settings.js';
import { chooseIsolation } from '../isolation/isolation.js';
import { isInsideRunNetns, probeNetNamespace, reexecInNetNamespace } from '../isolation/net-namespace.js';
import { Journal } from '../journal/journal.js';
import { alignedTable, markdownTable, REAL_CLIENT_COLUMNS, realClientRow } from '../report/real-client-table.js';
import { writeReports } from '../report/write-reports.js';
import { runCompare, type CompareResult } from '../run/compare.js';
import { BESIDE_ONLY_PROFILE, type CompareOptions } from '../scenario/options.js';
import type { CommandIo } from './compare-command.js';
import { prepareRealClients } from './real-client-setup.js';
import { createReportDir, newRunId } from './report-dir.js';

/**
 * `tokenrace matrix --versions a,b,c`: the same scenario once per Claude Code version, one row per
 * version and layout (refresh locks seen, POSTs per generation, invalid_grant, exit codes). Every
 * version is installed first, while the network is there; then the whole matrix runs in one
 * network namespace. Each version keeps its own report directory under --out.
 */
export interface MatrixRow {
  version: string;
  layout: string;
  cells: string[];
  result: CompareResult;
}

export async function matrixCommand(options: CompareOptions, json: boolean, io: CommandIo): Promise<number> {
  if (options.versions.length === 0) throw invalidOption('--versions', '', 'at least one version, e.g. 1.0.100,2.1.197');
  const isolation = chooseIsolation(options.isolation);
  // Each layout of each version listens for the stop signal once; a long matrix is not a leak.
  setMaxListeners(8 * options.versions.length * options.layouts.length + 10, io.signal);

  if (!isInsideRunNetns()) {
    for (const version of options.versions) {
      const binary = await installClaude(version);
      io.stderr(`claude-code@${version}: ${binary.kind}\n`);
    }
    if (probeNetNamespace().available) return reexecInNetNamespace(process.argv.slice(1));
  }

  const rows: MatrixRow[] = [];
  for (const version of options.versions) {
    if (io.signal.aborted) break;
    const perVersion = { ...options, client: `claude-code@${version}`, claudeBin: '' };
    const real = await prepareRealClients(perVersion, isolation.isolation, io.stderr);
    if (real.status !== 'ready') continue;

    io.stderr(`claude-code@${version}: ${options.layouts.join(', ')} (network: ${real.setup.route})…\n`);
    const runId = newRunId();
    const reportDir = await createReportDir(options.out, `${runId}-${version}`);
    const journal = new Journal(path.join(reportDir, 'events.ndjson'));
    let result: CompareResult;
    try {
      result = await runCompare(perVersion, {
        runId,
        reportDir,
        isolation: isolation.isolation,
        isolationReason: isolation.reason,
        profile: BESIDE_ONLY_PROFILE,
        journal,
        signal: io.signal,
        realClients: real.setup,
        server: serverSettingsSchema.parse({ reuse: options.reusePolicy }),
      });
    } finally {
      await journal.close();
    }
    await writeReports(result);
    for (const [layout, counters] of Object.entries(result.layouts)) {
      if (counters.real) rows.push({ version, layout, cells: realClientRow(layout, counters.real), result });
    }
  }

  const table = [['version', ...REAL_CLIENT_COLUMNS], ...rows.map((row) => [row.version, ...row.cells])];
  if (json) io.stdout(JSON.stringify(rows.map(({ version, layout, result }) => ({ version, layout, ...result.layouts[layout as 'shared']?.real }))) + '\n');
  else io.stdout(`${alignedTable(table)}\n\n${markdownTable(table)}\n`);
  return io.signal.aborted ? 130 : 0;
}
