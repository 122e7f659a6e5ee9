/**
 * The admin API as the dashboard calls it: the token (kept in sessionStorage, so it goes with the
 * browser tab) sent as `Authorization: Bearer`, JSON in and out, and a 401 reported once to the
 * app, which then shows its "token refused" state instead of the page.
 */

const TOKEN_KEY = 'ocpp-csms-admin-token';

/** The admin API's error body: `{ error: { code, message, ... } }`. */
export interface ErrorBody {
  readonly error?: { readonly code?: string; readonly message?: string; readonly [field: string]: unknown };
}

/** Any answer of the API other than 2xx (a 401 is told to the app first). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: unknown,
  ) {
    super(message);
  }
}

export function storedToken(): string | null {
  return sessionStorage.getItem(TOKEN_KEY);
}

export function storeToken(token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(TOKEN_KEY);
}

let unauthorized: (() => void) | undefined;

/** Who is told when the API answers 401 (the app: it shows the token-refused state). */
export function onUnauthorized(listener: () => void): void {
  unauthorized = listener;
}

export function authHeaders(): Record<string, string> {
  const token = storedToken();
  return token ? { authorization: `Bearer ${token}` } : {};
}

/** Fetch with the token; a 401 is reported to the app and thrown as ApiError. */
export async function request(path: string, init: RequestInit = {}): Promise<Response> {
  const response = await fetch(path, { ...init, headers: { ...authHeaders(), ...(init.headers as Record<string, string> | undefined) } });
  if (response.status === 401) unauthorized?.();
  return response;
}

/** JSON from the API; anything but 2xx is an ApiError with the body's code and message. */
export async function api<T>(path: string, init: RequestInit & { json?: unknown } = {}): Promise<T> {
  const { json, ...rest } = init;
  const response = await request(path, {
    ...rest,
    ...(json !== undefined ? { body: JSON.stringify(json), headers: { 'content-type': 'application/json', ...(rest.headers as Record<string, string> | undefined) } } : {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) {
    const error = (body as ErrorBody | undefined)?.error;
    throw new ApiError(response.status, error?.code ?? `http_${response.status}`, error?.message ?? `${response.status} ${response.statusText}`, body);
  }
  return body as T;
}

/** A message for people from anything thrown. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return `${error.status} ${error.code}: ${error.message}`;
  return error instanceof Error ? error.message : String(error);
}
