/**
 * Every error the harness expects to meet carries a stable `code`, so callers and tests match
 * the code rather than the wording. Errors from dependencies keep their own code in `cause`.
 */
export type ErrorCode =
  | 'ERR_INVALID_OPTION'
  | 'ERR_OUTPUT_UNWRITABLE'
  | 'ERR_ISOLATION_UNAVAILABLE'
  | 'ERR_WORKER_CRASHED'
  | 'ERR_WORKER_STARTUP'
  | 'ERR_JOURNAL_UNREADABLE'
  | 'ERR_INTERRUPTED'
  | 'ERR_NON_LOOPBACK_HOST'
  | 'ERR_TIME_BUDGET_EXCEEDED'
  | 'ERR_REAL_CREDENTIAL_STORE'

  | 'ERR_SCENARIO_INVALID'
  | 'ERR_SCENARIO_NOT_FOUND'
  | 'ERR_TLS_SETUP'
  | 'ERR_CLIENT_INSTALL'
  | 'ERR_NETWORK_ISOLATION';

export class TokenraceError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TokenraceError';
    this.code = code;
  }
}

/** Thrown for bad user input: a flag or a scenario field that is out of range or malformed. */
export function invalidOption(field: string, value: unknown, expected: string): TokenraceError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new TokenraceError('ERR_INVALID_OPTION', `${field}: got ${shown}, expected ${expected}`);
}

export function isTokenraceError(error: unknown): error is TokenraceError {
  return error instanceof TokenraceError;
}

/** Errors cross process boundaries as plain objects and are rebuilt on the other side. */
export interface SerializedError {
  code: string;
  message: string;
}

export function serializeError(error: unknown): SerializedError {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : 'ERR_UNKNOWN', message: error.message };
  }
  return { code: 'ERR_UNKNOWN', message: String(error) };
}

/** Exit codes of the CLI. Stable: CI gates depend on them (documented in the README). */
export const ExitCode = {
  pass: 0,
  fail: 1,
  usage: 2,
  inconclusive: 3,
  harnessError: 4,
  interrupted: 130,
} as const;

/**
 * ERR_INVALID_OPTION for the first issue a schema found: `<field>.<path>: got <value>, expected
 * <message>`. The value is the issue's own input when it carries one (a refinement), else the
 * value found at its path in `input`.
 */
export function refuseIssue(
  issue: { path: readonly PropertyKey[]; message: string; input?: unknown },
  input: unknown,
  field: string,
): TokenraceError {
  const where = [field, ...issue.path.map(String)].join('.');
  const atPath = issue.path.reduce<unknown>(
    (node, key) => (node as Record<PropertyKey, unknown> | undefined)?.[key],
    input,
  );
  const value = issue.input !== undefined ? issue.input : atPath;
  return invalidOption(where, value === undefined ? 'nothing' : value, issue.message);
}
