/**
 * The endpoint's routes and the header a client names itself with. A module of its own so that
 * clients can import them without loading the endpoint (and zod with its settings): every
 * container's client process pays for what it imports at start-up.
 */
export const TOKEN_PATH = '/v1/oauth/token';
export const LOGIN_PATH = '/v1/oauth/login';
export const API_PATH = '/v1/messages';
export const WORKER_HEADER = 'x-tokenrace-worker';
