import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { TokenraceError } from '../errors.js';

/**
 * A certificate authority made for one run, and one leaf certificate per host name the real
 * client talks to. The client trusts the CA through NODE_EXTRA_CA_CERTS; nothing else ever does,
 * and the keys live in the run's scratch directory, so they die with it.
 *
 * Made with the `openssl` binary: a well-kept tool that every Linux CI image has, rather than
 * hand-rolled ASN.1.
 */
const run = promisify(execFile);

/** The hosts Claude Code has compiled in: older versions refresh at console.anthropic.com. */
export const CLAUDE_HOSTS = ['platform.claude.com', 'console.anthropic.com', 'api.anthropic.com'];

export interface TlsMaterial {
  /** PEM file of the run's CA: what NODE_EXTRA_CA_CERTS points at. */
  caFile: string;
  /** PEM key and certificate per host name, for SNI. */
  leaves: Map<string, { key: string; cert: string }>;
}

export async function createTlsMaterial(directory: string, hosts = CLAUDE_HOSTS): Promise<TlsMaterial> {
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const caKey = path.join(directory, 'ca.key');
  const caFile = path.join(directory, 'ca.pem');
  await openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', caKey, '-out', caFile, '-days', '2', '-subj', '/CN=tokenrace run CA',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign',
  ]);

  const leaves = new Map<string, { key: string; cert: string }>();
  for (const host of hosts) leaves.set(host, await createLeaf(directory, host, caKey, caFile));
  return { caFile, leaves };
}

async function createLeaf(directory: string, host: string, caKey: string, caFile: string) {
  const keyFile = path.join(directory, `${host}.key`);
  const csrFile = path.join(directory, `${host}.csr`);
  const certFile = path.join(directory, `${host}.pem`);
  const extFile = path.join(directory, `${host}.ext`);
  await openssl([
    'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', csrFile, '-subj', `/CN=${host}`,
  ]);
  // Node checks subjectAltName, never the CN, and wants serverAuth in extendedKeyUsage.
  await writeFile(extFile, `subjectAltName=DNS:${host}\nextendedKeyUsage=serverAuth\n`);
  await openssl([
    'x509', '-req', '-in', csrFile, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial',
    '-out', certFile, '-days', '2', '-extfile', extFile,
  ]);
  return { key: await readFile(keyFile, 'utf8'), cert: await readFile(certFile, 'utf8') };
}

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args, { timeout: 20_000 });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n')[0] ?? String(error);
    throw new TokenraceError('ERR_TLS_SETUP', `openssl ${args[0]}: ${detail}`, { cause: error });
  }
}
