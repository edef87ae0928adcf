import { setMaxListeners } from 'node:events';
import { installClaude } from '../client/claude-install.js';
import { invalidOption } from '../errors.js';
import { chooseIsolation } from '../isolation/isolation.js';
import { isInsideRunNetns, probeNetNamespace, reexecInNetNamespace } from '../isolation/net-namespace.js';
import type { LayoutName } from '../journal/events.js';
import { alignedTable, markdownTable, REAL_CLIENT_COLUMNS, realClientRow } from '../report/real-client-table.js';
import type { Scenario } from '../scenario/scenario-schema.js';
import type { ClientFlags } from '../scenario/options.js';
import { prepareRealClients } from './real-client-setup.js';
import { createReportDir, newRunId } from './report-dir.js';
import { runScenarioToReports, type CommandIo } from './run-command.js';

/**
 * `tokenrace matrix --versions a,b,c`: the same scenario once per Claude Code version, one row per
 * version and layout (refresh locks seen, POSTs per generation, invalid_grant, exit codes). Every
 * version is installed first, while the network is there; then the whole matrix runs in one
 * network namespace. Each version keeps its own report directory under --out.
 */
export async function matrixCommand(
  scenario: Scenario,
  flags: ClientFlags,
  settings: { out: string; json: boolean },
  io: CommandIo,
): Promise<number> {
  if (flags.versions.length === 0) throw invalidOption('--versions', '', 'at least one version, e.g. 1.0.100,2.1.197');
  const isolation = chooseIsolation(scenario.isolation);
  // Each layout of each version listens for the stop signal once; a long matrix is not a leak.
  setMaxListeners(8 * flags.versions.length * scenario.layouts.length + 10, io.signal);

  if (!isInsideRunNetns()) {
    for (const version of flags.versions) {
      const binary = await installClaude(version);
      io.stderr(`claude-code@${version}: ${binary.kind}\n`);
    }
    if (probeNetNamespace().available) return reexecInNetNamespace(process.argv.slice(1));
  }

  const rows: Array<{ version: string; layout: string; cells: string[]; real: unknown }> = [];
  for (const version of flags.versions) {
    if (io.signal.aborted) break;
    const perVersion = {
      specs: [{ kind: 'claude-code' as const, version }],
      claudeBin: '',
      cwd: process.cwd(),
      networkRoute: flags.networkRoute,
    };
    const real = await prepareRealClients(perVersion, scenario.layouts, isolation.isolation, io.stderr);
    if (real.status !== 'ready') continue;

    const runId = `${newRunId()}-${version}`;
    const reportDir = await createReportDir(settings.out, runId);
    const prepared = { judge: 'compare' as const, isolation, runId, reportDir, realClients: real.setup };
    const result = await runScenarioToReports(scenario, prepared, io);
    for (const layout of scenario.layouts) {
      const counters = result.layouts[layout as LayoutName]?.real;
      if (counters) rows.push({ version, layout, cells: realClientRow(layout, counters), real: counters });
    }
  }

  const table = [['version', ...REAL_CLIENT_COLUMNS], ...rows.map((row) => [row.version, ...row.cells])];
  if (settings.json) {
    io.stdout(JSON.stringify(rows.map(({ version, layout, real }) => ({ version, layout, real }))) + '\n');
  } else io.stdout(`${alignedTable(table)}\n\n${markdownTable(table)}\n`);
  return io.signal.aborted ? 130 : 0;
}
