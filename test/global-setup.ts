import { execFileSync } from 'node:child_process';

/** Compiles harness/ into dist/ so tests that spawn the CLI run the code under test. */
export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { stdio: 'inherit' });
}
