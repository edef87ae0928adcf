import fc from 'fast-check';
import { MAX_BODY_BYTES } from '../endpoint/token-endpoint.js';

/**
 * Hostile requests for the mock endpoint, generated with fast-check, each with the rule that
 * decides what the endpoint must answer. The rules are written from the documents (RFC 6749
 * §5.2, the documented body limit, the route table, the rotation policies), not from the
 * endpoint's code, so the two can disagree: that disagreement is what the fuzzer counts as a
 * wrong status.
 *
 * Most answers follow from the request alone (`fixed`). A well-formed refresh grant and an API
 * call depend on what the server holds, so their rule only says what they present; the policy
 * model (policy-oracle.ts) turns that into a status when the request is sent.
 *
 * Token values cannot be known when a request is generated, so bodies carry a role placeholder
 * (`__RT__` for a refresh token; `__AT__` for the newest access token, `__PAT__` for the one
 * before it) that the sender fills in from what the endpoint has issued so far.
 */
export type TokenRole = 'live' | 'spent' | 'unknown';

export type BodySpec =
  | { kind: 'none' }
  | { kind: 'text'; text: string }
  /** Sent chunked until the server answers or `totalBytes` have gone: past the limit. */
  | { kind: 'chunked'; totalBytes: number }
  /** A content-length over the limit, with only a few bytes behind it. */
  | { kind: 'declared'; declaredBytes: number };

export interface HostileRequest {
  label: string;
  method: string;
  path: string;
  headers: Array<[string, string]>;
  body: BodySpec;
  /** Which refresh token `__RT__` stands for; `__AT__` is always the newest access token. */
  role: TokenRole;
  /** Bytes sent as they are, instead of a request built from the fields above. */
  raw?: string;
  rule: Rule;
}

export interface Expected {
  status: number;
  /** The OAuth `error` the JSON body must carry, when there is one to check. */
  error?: string;
}

/**
 * - `fixed`: the answer follows from the request alone, whatever the server holds;
 * - `grant`: a well-formed refresh grant presenting `token` (placeholders not yet filled): the
 *   rate limit and the rotation policy decide;
 * - `bearer`: an API call with this `authorization` header: the access token's state decides;
 * - `login`: a new family, always 200.
 */
export type Rule =
  | { kind: 'fixed'; expected: Expected }
  | { kind: 'grant'; token: string }
  | { kind: 'bearer'; authorization: string }
  | { kind: 'login' };

const TOKEN = '/v1/oauth/token';
const LOGIN = '/v1/oauth/login';
const API = '/v1/messages';

const jsonTypes = ['application/json', 'application/json; charset=utf-8', 'Application/JSON', ''];
const formTypes = ['application/x-www-form-urlencoded', 'application/x-www-form-urlencoded; charset=utf-8'];
const otherTypes = ['text/plain', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonx', '*/*'];

const fieldValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.string({ maxLength: 40 }),
  fc.integer(),
  fc.boolean(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 3 }),
);
const grantValue = fc.oneof(fc.constant('refresh_token'), fc.constant('authorization_code'), fieldValue);
const tokenValue = fc.oneof(fc.constant('__RT__'), fc.constant('__RT__'), fieldValue);
const role = fc.constantFrom<TokenRole>('live', 'spent', 'unknown');

/** A token-route body built from fields, encoded as JSON or a form, under some content type. */
const tokenGrant = fc
  .record({
    grant: grantValue,
    token: tokenValue,
    extra: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 3 }),
    encoding: fc.constantFrom('json', 'form'),
    type: fc.constantFrom(...jsonTypes, ...formTypes, ...otherTypes),
    role,
  })
  .map(({ grant, token, extra, encoding, type, role }) => {
    const fields: Record<string, unknown> = { ...extra, grant_type: grant, refresh_token: token };
    for (const key of Object.keys(fields)) if (fields[key] === undefined) delete fields[key];
    const text = encoding === 'json' ? JSON.stringify(fields) : encodeForm(fields);
    const request = post(`grant-${encoding}`, TOKEN, type, { kind: 'text', text }, role);
    return { ...request, rule: tokenRouteRule(type, text) };
  });

/** A well-formed refresh, in either encoding, presenting a live, spent or unknown token. */
const wellFormedRefresh = fc
  .record({ encoding: fc.constantFrom('json', 'form'), role })
  .map(({ encoding, role }) => {
    const fields = { grant_type: 'refresh_token', refresh_token: '__RT__' };
    const type = encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded';
    const text = encoding === 'json' ? JSON.stringify(fields) : encodeForm(fields);
    return { ...post(`refresh-${role}`, TOKEN, type, { kind: 'text', text }, role), rule: tokenRouteRule(type, text) };
  });

/** Bodies that are not a JSON object: broken JSON, arrays, scalars, random text. */
const brokenJson = fc
  .record({
    text: fc.oneof(fc.string({ maxLength: 60 }), fc.json({ maxDepth: 2 }), fc.constantFrom('{', '{"a":', '[]', 'null', '"x"', '{}}')),
    type: fc.constantFrom(...jsonTypes),
  })
  .map(({ text, type }) => {
    const request = post('broken-json', TOKEN, type, { kind: 'text', text }, 'unknown');
    return { ...request, rule: tokenRouteRule(type, text) };
  });

const oversized = fc.oneof(
  fc.record({ route: fc.constantFrom(TOKEN, LOGIN), bytes: fc.integer({ min: MAX_BODY_BYTES + 1, max: 4 * MAX_BODY_BYTES }) }).map(
    ({ route, bytes }) => ({ ...post('chunked-huge', route, 'application/json', { kind: 'chunked', totalBytes: bytes }, 'unknown'), rule: fixed(413) }),
  ),
  fc.record({ route: fc.constantFrom(TOKEN, LOGIN), bytes: fc.integer({ min: MAX_BODY_BYTES + 1, max: 2 ** 40 }) }).map(
    ({ route, bytes }) => ({ ...post('declared-huge', route, 'application/json', { kind: 'declared', declaredBytes: bytes }, 'unknown'), rule: fixed(413) }),
  ),
  // Exactly at the limit is read and parsed (and refused as JSON); one byte more is not read.
  fc.constantFrom(MAX_BODY_BYTES, MAX_BODY_BYTES + 1).map((bytes) => ({
    ...post('at-limit', TOKEN, 'application/json', { kind: 'text', text: 'a'.repeat(bytes) }, 'unknown'),
    rule: bytes > MAX_BODY_BYTES ? fixed(413) : fixed(400, 'invalid_request'),
  })),
);

const wrongRoute = fc
  .record({
    method: fc.constantFrom('GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST'),
    path: fc.oneof(fc.constantFrom(TOKEN, LOGIN, API, '/', '/v1/oauth', '/v1/oauth/token/'), fc.webPath()),
  })
  .filter(({ method, path }) => method !== 'POST' || ![TOKEN, LOGIN, API].includes(routeOf(path)))
  .map(({ method, path }) => ({
    label: 'wrong-route',
    method,
    path: path.startsWith('/') ? path : `/${path}`,
    headers: [] as Array<[string, string]>,
    body: { kind: 'none' } as BodySpec,
    role: 'unknown' as TokenRole,
    rule: fixed(404),
  }));

const apiCall = fc
  .oneof(
    fc.constant('Bearer __AT__'),
    fc.constant('Bearer __AT__'),
    fc.constant('Bearer __PAT__'),
    fc.string({ maxLength: 30 }).map((value) => `Bearer ${value}`),
    fc.constantFrom('', 'Basic abc', 'bearer __AT__'),
  )
  .map((authorization) => ({
    label: 'api',
    method: 'POST',
    path: API,
    headers: authorization ? ([['authorization', authorization]] as Array<[string, string]>) : [],
    body: { kind: 'none' } as BodySpec,
    role: 'unknown' as TokenRole,
    rule: { kind: 'bearer', authorization } as Rule,
  }));

const login = fc.string({ maxLength: 40 }).map((text) => ({ ...post('login', LOGIN, 'application/json', { kind: 'text', text }, 'unknown'), rule: { kind: 'login' } as Rule }));

/** Bytes Node's HTTP parser refuses before any route sees them. */
const unparsable = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 40 }).map((junk) => `\u0001${junk.replace(/\r|\n/g, '')}\r\n\r\n`),
    fc.constant(`POST ${TOKEN} HTTP/1.1\r\nhost: x\r\nno colon here\r\n\r\n`),
    fc.constant(`POST ${TOKEN} HTTP/1.1\r\nhost: x\r\ncontent-length: abc\r\n\r\n`),
    fc.constant(`POST ${TOKEN} HTTP/1.1\r\nhost: x\r\ncontent-length: 2\r\ntransfer-encoding: chunked\r\n\r\n0\r\n\r\n`),
    fc.constant(`POST ${TOKEN} HTTP/1.1\r\nhost: x\r\nx-big: ${'b'.repeat(20_000)}\r\n\r\n`),
  )
  .map((raw) => ({
    label: 'unparsable',
    method: '',
    path: '',
    headers: [] as Array<[string, string]>,
    body: { kind: 'none' } as BodySpec,
    role: 'unknown' as TokenRole,
    raw,
    rule: fixed(raw.includes('x-big') ? 431 : 400),
  }));

/** Every kind of hostile request, weighted towards the token route where the state lives. */
export const hostileRequest: fc.Arbitrary<HostileRequest> = fc.oneof(
  { arbitrary: tokenGrant, weight: 6 },
  { arbitrary: wellFormedRefresh, weight: 3 },
  { arbitrary: brokenJson, weight: 3 },
  { arbitrary: oversized, weight: 2 },
  { arbitrary: wrongRoute, weight: 2 },
  { arbitrary: apiCall, weight: 2 },
  { arbitrary: login, weight: 1 },
  { arbitrary: unparsable, weight: 2 },
);

/** What decides the token route's answer: the body's shape, or (for a valid grant) the policy. */
export function tokenRouteRule(contentType: string, text: string): Rule {
  const fields = decodeBody(contentType, text);
  if (fields === null) return fixed(400, 'invalid_request');

  const grant = fields.grant_type;
  const token = fields.refresh_token;
  if (grant === undefined) return fixed(400, 'invalid_request');
  if (grant !== 'refresh_token') return fixed(400, 'unsupported_grant_type');
  if (typeof token !== 'string' || token.length === 0) return fixed(400, 'invalid_request');
  return { kind: 'grant', token };
}

function fixed(status: number, error?: string): Rule {
  return { kind: 'fixed', expected: error === undefined ? { status } : { status, error } };
}

function decodeBody(contentType: string, text: string): Record<string, unknown> | null {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') return Object.fromEntries(new URLSearchParams(text));
  if (type !== 'application/json' && type !== '') return null;
  if (text.length === 0) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function encodeForm(fields: Record<string, unknown>): string {
  const form = new URLSearchParams();
  for (const [key, value] of Object.entries(fields)) form.append(key, String(value));
  return form.toString();
}

function post(label: string, path: string, contentType: string, body: BodySpec, role: TokenRole) {
  const headers: Array<[string, string]> = contentType ? [['content-type', contentType]] : [];
  return { label, method: 'POST', path, headers, body, role };
}

function routeOf(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.split('?')[0]!;
}
