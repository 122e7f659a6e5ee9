/**
 * What the standard CSMS's admin routes (tokens-routes.ts, tariffs-routes.ts,
 * boot-policy-routes.ts, local-list-routes.ts, remote-start-routes.ts) need: the services
 * (src/services), part of the admin server's options (RouteHooks). Without them those routes
 * answer 503: the server runs another handler than the standard CSMS.
 *
 * Service errors become HTTP answers here, in one place: a value of the body that breaks its
 * schema is a 400 naming the field as the other routes do (`invalid_request`, `field`:
 * `body/status`, `body/tokens[3].expiresAt`, `body/csv` with the line in the message), a missing
 * token or tariff a 404 (`not_found`).
 */
import { InvalidInputError, NotFoundError } from '../errors';
import type { CsmsServices } from '../services';
import { AdminHttpError } from './error-body';
import type { RouteContext } from './routes';

export interface ServicesRouteHooks {
  /** The standard CSMS's services; without them its routes answer 503. */
  readonly services?: CsmsServices;
}

export function servicesOf(ctx: RouteContext): CsmsServices {
  const services = (ctx.hooks as ServicesRouteHooks).services;
  if (!services) throw new AdminHttpError(503, 'unavailable', 'this server does not run the standard CSMS (no services): tokens, tariffs and boot policies are not available');
  return services;
}

/** Run a service call, turning its input and not-found errors into HTTP answers. */
export async function serviceAnswer<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidInputError) {
      // Every service input of these routes is the request's body (or a CSV text in it).
      const field = error.field.startsWith('line ') ? 'body/csv' : `body/${error.field}`;
      const message = error.field.startsWith('line ') ? `body/csv: ${error.message}` : `body/${error.message}`;
      throw new AdminHttpError(400, 'invalid_request', message, { field });
    }
    if (error instanceof NotFoundError) throw new AdminHttpError(404, 'not_found', error.message, { kind: error.kind, key: error.key });
    throw error;
  }
}
