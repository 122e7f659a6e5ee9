/**
 * The configuration file's `smartCharging` section (issue 12 items 1–2): how the CSMS plans ISO
 * 15118 schedules (K15–K17) and how long it waits for a station's ReportChargingProfiles (K09).
 * Spread into the standard CSMS's sections (src/services/config.ts).
 */

export interface SmartChargingConfig {
  /** Phase voltage used to turn an AC limit in W into A per phase and back (default 230). */
  readonly nominalVoltage: number;
  /** Stack level of the TxProfiles the CSMS grants for ISO 15118 charging needs (default 0). */
  readonly txProfileStackLevel: number;
  /** How long a refresh waits for the station's last ReportChargingProfiles, seconds (default 60). */
  readonly reportTimeoutSeconds: number;
}

export const DEFAULT_SMART_CHARGING_CONFIG: SmartChargingConfig = { nominalVoltage: 230, txProfileStackLevel: 0, reportTimeoutSeconds: 60 };

export const SMART_CHARGING_CONFIG_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  default: {},
  description: 'the standard CSMS: charging profiles and ISO 15118 charging needs (K01–K17)',
  properties: {
    nominalVoltage: { type: 'number', minimum: 100, maximum: 1000, default: 230, description: 'phase voltage (V) for converting AC limits between W and A per phase' },
    txProfileStackLevel: { type: 'integer', minimum: 0, maximum: 1000, default: 0, description: 'stack level of the TxProfiles granted for ISO 15118 charging needs' },
    reportTimeoutSeconds: { type: 'integer', minimum: 1, maximum: 3600, default: 60, description: 'how long a refresh waits for the last ReportChargingProfiles' },
  },
} as const;
