import type { IncomingMessage, ServerResponse } from 'node:http';
import { randomBytes } from 'node:crypto';
import { fingerprint } from '../fingerprint.js';
import type { ExtraRoutes, RecordLedger } from './token-endpoint.js';
import { respond } from './http-replies.js';
import { readForm } from './token-endpoint.js';
import type { TokenRegistry } from './token-registry.js';

/**
 * The routes a real Claude Code process calls besides the token route, as observed offline
 * (../shared/context/claude-code-observed.md): the profile, the streaming messages API, the MCP
 * servers listing and a `HEAD /` preconnect. Each answers just enough for `claude -p` to finish
 * one turn. Anything else falls through to the endpoint's 404, which the ledger records, so a
 * new client version's new calls show up in the report instead of being ignored.
 */
export const PROFILE_PATH = '/api/oauth/profile';
export const MCP_SERVERS_PATH = '/v1/mcp_servers';
export const MESSAGES_PATH = '/v1/messages';

/** The reply every `claude -p` turn gets: short, so a turn costs the endpoint almost nothing. */
export const CANNED_REPLY = 'ok';

export const anthropicRoutes: ExtraRoutes = async (request, response, { route, registry, record }) => {
  if (request.method === 'HEAD' && route === '/') {
    record({ status: 200, outcome: 'aux_ok', ...noTokens() });
    response.writeHead(200).end();
    return true;
  }
  if (request.method === 'GET' && route === PROFILE_PATH) {
    if (!authorize(request, response, registry, record)) return true;
    respond(response, 200, profile());
    return true;
  }
  if (request.method === 'GET' && route === MCP_SERVERS_PATH) {
    if (!authorize(request, response, registry, record)) return true;
    respond(response, 200, { data: [], has_more: false, next_page: null });
    return true;
  }
  if (request.method === 'POST' && route === MESSAGES_PATH) {
    const body = await readForm(request).catch(() => ({}) as Record<string, unknown>);
    if (!authorize(request, response, registry, record, 'api_ok')) return true;
    if (body.stream === true) streamReply(response, String(body.model ?? 'claude-tokenrace'));
    else respond(response, 200, message(String(body.model ?? 'claude-tokenrace'), CANNED_REPLY));
    return true;
  }
  return false;
};

/**
 * Checks the bearer token the way the real API does and records the request. On failure it
 * answers 401 itself, which is what makes a real client notice its access token is gone.
 */
function authorize(
  request: IncomingMessage,
  response: ServerResponse,
  registry: TokenRegistry,
  record: RecordLedger,
  okOutcome: 'api_ok' | 'aux_ok' = 'aux_ok',
): boolean {
  const header = request.headers.authorization ?? '';
  const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length) : '';
  const presented = token ? fingerprint(token) : null;
  const check = token ? registry.checkAccess(token) : null;
  const base = { presented, issued: null, generation: null };

  if (check?.status === 'ok') {
    record({ status: 200, outcome: okOutcome, ...base, family: check.family });
    return true;
  }
  const reason = check?.status === 'unauthorized' ? check.reason : 'malformed';
  record({ status: 401, outcome: 'api_unauthorized', ...base, family: null, reason });
  respond(response, 401, {
    type: 'error',
    error: { type: 'authentication_error', message: 'OAuth token has expired or is invalid' },
  });
  return false;
}

/** A server-sent-event stream in the messages API's shape, carrying one short text block. */
function streamReply(response: ServerResponse, model: string): void {
  const { content: _content, ...start } = message(model, '');
  const events: Array<[string, unknown]> = [
    ['message_start', { type: 'message_start', message: { ...start, content: [] } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: CANNED_REPLY } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: 1 } }],
    ['message_stop', { type: 'message_stop' }],
  ];
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const [name, data] of events) response.write(`event: ${name}\ndata: ${JSON.stringify(data)}\n\n`);
  response.end();
}

function message(model: string, text: string) {
  return {
    id: `msg_tokenrace_${randomBytes(6).toString('hex')}`,
    type: 'message',
    role: 'assistant',
    model,
    content: [{ type: 'text', text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 1, output_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
  };
}

function profile() {
  return {
    account: { uuid: '00000000-0000-4000-8000-000000000001', email: 'tokenrace@example.invalid', display_name: 'tokenrace' },
    organization: { uuid: '00000000-0000-4000-8000-000000000002', name: 'tokenrace', organization_type: 'claude_max', rate_limit_tier: 'default_claude_max_20x' },
  };
}

function noTokens() {
  return { presented: null, issued: null, family: null, generation: null };
}
