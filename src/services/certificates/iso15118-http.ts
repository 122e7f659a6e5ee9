/**
 * One bounded HTTP POST (Node's built-in fetch), shared by the OCSP client (RFC 6960 Appendix A.1),
 * the contract-certificate provider and the external V2G signer. Bounded twice: the whole
 * exchange, body included, ends at `timeoutMs` (a responder that accepts the connection and never
 * answers is a timeout, not a hang), and at most `maxBytes` of the answer are read. Every failure
 * is a value, never an exception: the callers turn it into an OCPP status.
 */
import { describeCause } from '../../errors';

export type HttpProblem = 'timeout' | 'unreachable' | 'too_large';

export type HttpAnswer =
  | { readonly ok: true; readonly status: number; readonly contentType: string; readonly body: Buffer }
  | { readonly ok: false; readonly problem: HttpProblem; readonly message: string };

export interface HttpPost {
  readonly url: string;
  readonly body: Uint8Array | string;
  readonly contentType: string;
  readonly accept: string;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Sent as the Authorization header when given (never logged). */
  readonly authorization?: string;
}

export async function postBounded(request: HttpPost): Promise<HttpAnswer> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, request.timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: {
        'content-type': request.contentType,
        accept: request.accept,
        ...(request.authorization !== undefined ? { authorization: request.authorization } : {}),
      },
      body: request.body,
      signal: controller.signal,
      redirect: 'error',
    });
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > request.maxBytes) {
      controller.abort();
      return { ok: false, problem: 'too_large', message: `the answer has ${declared} bytes, more than ${request.maxBytes}` };
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    if (response.body) {
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > request.maxBytes) {
          controller.abort();
          return { ok: false, problem: 'too_large', message: `the answer is longer than ${request.maxBytes} bytes` };
        }
        chunks.push(value);
      }
    }
    return { ok: true, status: response.status, contentType: response.headers.get('content-type') ?? '', body: Buffer.concat(chunks) };
  } catch (error) {
    if (timedOut) return { ok: false, problem: 'timeout', message: `no answer within ${request.timeoutMs} ms` };
    // fetch says "fetch failed"; the reason (ECONNREFUSED, a TLS error ...) is its cause.
    const cause = error instanceof Error && error.cause !== undefined ? `: ${describeCause(error.cause)}` : '';
    return { ok: false, problem: 'unreachable', message: `${describeCause(error)}${cause}` };
  } finally {
    clearTimeout(timer);
  }
}

/** An http(s) URL, or undefined (stations name URLs: nothing else is fetched). */
export function httpUrl(text: string): URL | undefined {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
