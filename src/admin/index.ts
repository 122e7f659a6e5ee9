/**
 * The admin HTTP API: `createAdminServer(csms, options)`, its configuration section
 * (`ADMIN_CONFIG_SCHEMA`, `AdminConfigSection`, `resolveAdminConfig`) and its OpenAPI document.
 */
export { createAdminServer, type AdminServer, type AdminServerOptions } from './server';
export {
  ADMIN_CONFIG_SCHEMA,
  ADMIN_DEFAULTS,
  MIN_ADMIN_TOKEN_LENGTH,
  isLoopbackHost,
  resolveAdminConfig,
  type AdminConfig,
  type AdminConfigSection,
} from '../config/admin';
export { OPENAPI_PATH, buildOpenApiDocument } from './openapi';
export { ADMIN_ROUTES, type RouteHooks } from './routes';
export type { AdminErrorCode, ErrorBody } from './error-body';
