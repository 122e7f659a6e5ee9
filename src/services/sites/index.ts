/**
 * Site load management (issue 12 item 3): groups of stations kept under their grid connection
 * limit. The allocation (allocation.ts) is pure; the controller (site-load.ts) sends the profiles;
 * the service (site-service.ts) keeps the sites and routes transaction changes to them.
 */
export { allocate, type Allocation, type AllocationRules, type EvseDemand, type SitePolicy } from './allocation';
export {
  DEFAULT_SITES_CONFIG,
  SITE_BODY_SCHEMA,
  SITE_FIELDS,
  SITE_ID_PATTERN,
  SITE_SCHEMA,
  SITES_CONFIG_SCHEMA,
  siteDefinition,
  type SiteDefinition,
  type SiteInput,
  type SitesConfig,
} from './config';
export { SiteLoad, type EvseAllocationStatus, type EvseAllocationView, type ReplanOutcome, type SitePlanner, type SiteProfileSender, type StationDefaultView } from './site-load';
export { SiteService, type EvseLimit, type SiteServiceOptions, type SiteView } from './site-service';
export type { SiteSource, StoredAllocation, StoredSite } from './site-store';
