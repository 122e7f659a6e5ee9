/**
 * The live feed (GET /api/events, server-sent events) read with fetch and a ReadableStream:
 * EventSource cannot send the Authorization header. Reconnects after a pause when the stream
 * ends or fails; stops on 401 (the app shows the token-refused state) or when closed.
 */
import { request } from './api';
import type { FeedEvent } from './types';

export type FeedState = 'connecting' | 'live' | 'reconnecting' | 'closed';

const RETRY_MS = 2000;

export function openFeed(onEvent: (event: FeedEvent) => void, onState: (state: FeedState) => void): () => void {
  const abort = new AbortController();
  let retry: ReturnType<typeof setTimeout> | undefined;

  const run = async (): Promise<void> => {
    onState('connecting');
    try {
      const response = await request('/api/events', { signal: abort.signal, headers: { accept: 'text/event-stream' } });
      if (response.status === 401) {
        onState('closed');
        return;
      }
      if (!response.ok || !response.body) throw new Error(`live feed answered ${response.status}`);
      onState('live');
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        // Events are separated by a blank line (HTML Living Standard, server-sent events).
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block
            .split('\n')
            .filter((line) => line.startsWith('data:'))
            .map((line) => line.slice(5).trimStart())
            .join('\n');
          if (data !== '') onEvent(JSON.parse(data) as FeedEvent);
        }
      }
    } catch (error) {
      if (abort.signal.aborted) return;
      void error;
    }
    if (abort.signal.aborted) return;
    onState('reconnecting');
    retry = setTimeout(() => void run(), RETRY_MS);
  };
  void run();
  return () => {
    abort.abort();
    if (retry) clearTimeout(retry);
    onState('closed');
  };
}
