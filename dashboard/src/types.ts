/**
 * The shapes of the admin API's answers the dashboard reads (the server's are in src/admin;
 * the OpenAPI document at /api/openapi.json is the contract). Only the fields shown are typed.
 *
 * The live feed's shapes are the server's own (src/admin/live-feed-events.ts, types only, so the
 * browser build takes nothing else of the server). The others stay here: the server's types for
 * them are not the JSON the API sends (StationView's EVSE model is a class) or bring the server's
 * station code with them (OpenTransaction, in src/station/store.ts).
 */
export type { CapturedFrame, ConnectorSummary, FeedEvent, FleetCounters, StationSummary } from '../../src/admin/live-feed-events';

export interface ConnectorState {
  readonly id: number;
  readonly status?: string;
  readonly statusAt?: string;
  readonly statusFrom?: string;
  readonly availability?: string;
}

export interface EvseState {
  readonly id: number;
  readonly status?: string;
  readonly availability?: string;
  readonly connectors: readonly ConnectorState[];
}

export interface OpenTransaction {
  readonly transactionId: string;
  readonly evseId?: number;
  readonly connectorId?: number;
  readonly idToken?: string;
  readonly startedAt: string;
  readonly lastEventAt: string;
  readonly chargingState?: string;
  readonly energyWh?: number;
}

export interface StationView {
  readonly id: string;
  readonly status: string;
  readonly failure?: { readonly reason: string; readonly at: string };
  readonly connected: boolean;
  readonly remoteAddress?: string;
  readonly bootStatus?: string;
  readonly chargingStation?: {
    readonly model: string;
    readonly vendorName: string;
    readonly serialNumber?: string;
    readonly firmwareVersion?: string;
    readonly modem?: { readonly iccid?: string; readonly imsi?: string };
  };
  readonly evse: { readonly availability?: string; readonly evses: readonly EvseState[] };
  readonly openTransactions: readonly OpenTransaction[];
  readonly stats: Readonly<Record<string, number>>;
  readonly securityProfile: number;
  readonly localList?: { readonly version?: number };
  readonly certificate?: { readonly serial?: string; readonly notAfter?: string };
}

export interface VariableEntry {
  readonly component: { readonly name: string; readonly instance?: string; readonly evse?: { readonly id: number; readonly connectorId?: number } };
  readonly variable: { readonly name: string; readonly instance?: string };
  readonly characteristics?: { readonly dataType: string; readonly unit?: string };
  readonly attributes: Readonly<Record<string, { readonly value?: string; readonly mutability?: string } | undefined>>;
}

export interface Transaction {
  readonly transactionId: string;
  readonly stationId: string;
  readonly evseId: number | null;
  readonly connectorId: number | null;
  readonly idToken: string | null;
  readonly state: 'open' | 'ended';
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly stoppedReason: string | null;
  readonly energyWh: number | null;
  readonly totalCost: string | null;
  readonly currency: string | null;
}

export interface TransactionPage {
  readonly items: readonly Transaction[];
  readonly nextCursor?: string;
}

export interface SecurityEvent {
  readonly id: number;
  readonly stationId: string;
  readonly source: string;
  readonly type: string;
  readonly timestamp: string;
  readonly techInfo?: string | null;
}

export interface FrameCapture {
  readonly enabled: boolean;
  readonly framesPerStation: number;
}
