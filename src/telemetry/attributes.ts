/**
 * The span attributes the CSMS sets (kept apart from tracing.ts, which loads the OpenTelemetry
 * SDK: a server with traces off never loads it).
 */
export const ATTR_STATION_ID = 'ocpp.station_id';
export const ATTR_ACTION = 'ocpp.action';
export const ATTR_MESSAGE_ID = 'ocpp.message_id';
export const ATTR_OUTCOME = 'ocpp.outcome';
