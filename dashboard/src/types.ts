/**
 * The shapes of the admin API's answers the dashboard reads (the server's are in src/admin;
 * the OpenAPI document at /api/openapi.json is the contract). Only the fields shown are typed.
 */

export interface ConnectorSummary {
  readonly evseId: number;
  readonly connectorId: number;
  readonly status?: string;
}

export interface StationSummary {
  readonly id: string;
  readonly status: string;
  readonly connected: boolean;
  readonly bootStatus?: string;
  readonly vendorName?: string;
  readonly model?: string;
  readonly connectors: readonly ConnectorSummary[];
  readonly openTransactions: number;
  readonly energyWh?: number;
  readonly charging: boolean;
  readonly faulted: boolean;
}

export interface FleetCounters {
  readonly registered: number;
  readonly connected: number;
  readonly charging: number;
  readonly faulted: number;
  readonly messagesInPerSecond: number;
  readonly messagesOutPerSecond: number;
  readonly errors: number;
  readonly errorsPerSecond: number;
  readonly at: string;
}

export type FeedEvent =
  | { readonly type: 'snapshot'; readonly stations: readonly StationSummary[]; readonly fleet: FleetCounters }
  | { readonly type: 'station'; readonly station: StationSummary }
  | { readonly type: 'removed'; readonly id: string }
  | { readonly type: 'fleet'; readonly fleet: FleetCounters };

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

export interface CapturedFrame {
  readonly at: string;
  readonly direction: 'in' | 'out';
  readonly text: string;
  readonly truncated: boolean;
  readonly error?: string;
}

export interface FrameCapture {
  readonly enabled: boolean;
  readonly framesPerStation: number;
}
