/**
 * The pure data models of a station: EVSEs and connectors, the device model, and the bookkeeping
 * of multi-part reports. No actors and no I/O: the station actor holds them in its state and
 * persists their JSON snapshots in the per-station store (DESIGN.md §2, §3).
 */
export * from './decoded';
export * from './evse';
export * from './device-model';
export * from './report-assembler';
export { standardVariable, type StandardVariable } from './standard-variables';
