/**
 * A span per admin request (`HTTP <method> <route>`, SERVER), made the active context for the
 * route's handler, so a CSMS call the route makes (`ocpp.call <Action>`, src/telemetry) is its
 * child: admin API → queue → station → answer in one trace. Needs the AsyncLocalStorage context
 * manager that startTracing registers.
 *
 * The context is entered in preHandler, after the body was read: a context entered in onRequest
 * does not survive the request stream's events.
 */
import { SpanKind, SpanStatusCode, context, trace, type Span, type Tracer } from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export function registerTraceHooks(app: FastifyInstance, tracer: Tracer | undefined): void {
  if (!tracer) return;
  const spans = new WeakMap<FastifyRequest, Span>();
  app.addHook('onRequest', (request, _reply, done) => {
    spans.set(
      request,
      tracer.startSpan(`HTTP ${request.method}`, {
        kind: SpanKind.SERVER,
        // The path only: a query could carry anything, and no header is ever recorded (the token).
        attributes: { 'http.request.method': request.method, 'url.path': request.url.split('?', 1)[0] ?? '' },
      }),
    );
    done();
  });
  app.addHook('preHandler', (request, _reply, done) => {
    const span = spans.get(request);
    if (!span) {
      done();
      return;
    }
    context.with(trace.setSpan(context.active(), span), done);
  });
  app.addHook('onResponse', (request, reply, done) => {
    const span = spans.get(request);
    if (span) {
      const route = request.routeOptions.url;
      if (route !== undefined) {
        span.updateName(`HTTP ${request.method} ${route}`);
        span.setAttribute('http.route', route);
      }
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}
