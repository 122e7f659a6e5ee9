/**
 * The standardized components and variables of OCPP 2.0.1 with their data types, so a value
 * can be typed when the station never told us its dataType (scenario 12: a GetVariables
 * answer carries only a string).
 *
 * Extracted from OCPP 2.0.1 Part 2 Appendices v1.3 (../shared/spec/OCPP-2.0.1_part2_appendices_v13.txt):
 * - CONTROLLER_VARIABLES: Appendix 3 §3.1 (Controller Components), the "Variables / Type" column of
 *   every controller table. Wrapped names in the text (e.g. "AdditionalInfoItemsPerMessag" + "e")
 *   are joined; "passwordString" and "identifierString" (SecurityCtrlr) are strings on the wire;
 *   MonitoringCtrlr.MonitoringBase is listed as "optionList" and kept as OptionList; the pseudo-row
 *   "SelftestActive(Set)" is the Target attribute of SelftestActive and is not a variable.
 * - GENERIC_VARIABLES: Appendix 4 (Standardized Variables), name, DataType and Unit, which apply to
 *   any component (Appendix 4 excludes controller-specific variables, hence the two tables).
 *   ChargeProtocol has no DataType in the appendix and is left out. Units are listed as given;
 *   Power ("W,kW") and Temperature ("Celsius,Fahrenheit") allow two.
 * The extraction was done by a script over the text (column parsing of those tables) and the
 * result reviewed row by row against the text.
 */
import type { DataEnumType } from './ocpp-shapes';

export interface StandardVariable {
  readonly dataType: DataEnumType;
  /** Units from Appendix 4 (Appendix 2 spelling), when the appendix gives any. */
  readonly units?: readonly string[];
}

/** Appendix 3 §3.1: controller component → variable → data type. */
export const CONTROLLER_VARIABLES: Readonly<Record<string, Readonly<Record<string, DataEnumType>>>> = {
  AlignedDataCtrlr: {
    Enabled: 'boolean',
    Available: 'boolean',
    Interval: 'integer',
    Measurands: 'MemberList',
    SendDuringIdle: 'boolean',
    SignReadings: 'boolean',
    TxEndedInterval: 'integer',
    TxEndedMeasurands: 'MemberList',
  },
  AuthCtrlr: {
    Enabled: 'boolean',
    AdditionalInfoItemsPerMessage: 'integer',
    AuthorizeRemoteStart: 'boolean',
    DisableRemoteAuthorization: 'boolean',
    LocalAuthorizeOffline: 'boolean',
    LocalPreAuthorize: 'boolean',
    MasterPassGroupId: 'string',
    OfflineTxForUnknownIdEnabled: 'boolean',
  },
  AuthCacheCtrlr: {
    Enabled: 'boolean',
    Available: 'boolean',
    LifeTime: 'integer',
    Policy: 'OptionList',
    DisablePostAuthorize: 'boolean',
  },
  CHAdeMOCtrlr: {
    Enabled: 'boolean',
    Active: 'boolean',
    Complete: 'boolean',
    Tripped: 'boolean',
    Problem: 'boolean',
    SelftestActive: 'boolean',
    CHAdeMOProtocolNumber: 'integer',
    VehicleStatus: 'boolean',
    DynamicControl: 'boolean',
    HighCurrentControl: 'boolean',
    HighVoltageControl: 'boolean',
    AutoManufacturerCode: 'integer',
  },
  ClockCtrlr: {
    DateTime: 'dateTime',
    NtpServerUri: 'string',
    NtpSource: 'string',
    TimeOffset: 'string',
    NextTimeOffsetTransitionDateTime: 'dateTime',
    TimeSource: 'string',
    TimeZone: 'string',
    TimeAdjustmentReportingThreshold: 'integer',
  },
  CustomizationCtrlr: {
    CustomImplementationEnabled: 'boolean',
  },
  DeviceDataCtrlr: {
    BytesPerMessage: 'integer',
    ItemsPerMessage: 'integer',
    ValueSize: 'integer',
  },
  DisplayMessageCtrlr: {
    Enabled: 'boolean',
    Available: 'boolean',
    DisplayMessages: 'integer',
    PersonalMessageSize: 'integer',
    SupportedFormats: 'MemberList',
  },
  ISO15118Ctrlr: {
    Enabled: 'boolean',
    Active: 'boolean',
    Tripped: 'boolean',
    Complete: 'boolean',
    Problem: 'boolean',
    SeccId: 'string',
    SelftestActive: 'boolean',
    ContractValidationOffline: 'boolean',
    CentralContractValidationAllowed: 'boolean',
    PnCEnabled: 'boolean',
    V2GCertificateInstallationEnabled: 'boolean',
    ContractCertificateInstallationEnabled: 'boolean',
    RequestMeteringReceipt: 'boolean',
    OrganizationName: 'string',
    CountryName: 'string',
    MaxScheduleEntries: 'integer',
    RequestedEnergyTransferMode: 'OptionList',
  },
  LocalAuthListCtrlr: {
    Enabled: 'boolean',
    Entries: 'integer',
    Available: 'boolean',
    ItemsPerMessage: 'integer',
    BytesPerMessage: 'integer',
    Storage: 'integer',
    DisablePostAuthorize: 'boolean',
  },
  MonitoringCtrlr: {
    Enabled: 'boolean',
    Available: 'boolean',
    ItemsPerMessage: 'integer',
    BytesPerMessage: 'integer',
    MonitoringBase: 'OptionList',
    MonitoringLevel: 'integer',
    OfflineQueuingSeverity: 'integer',
    ActiveMonitoringBase: 'OptionList',
    ActiveMonitoringLevel: 'integer',
  },
  OCPPCommCtrlr: {
    ActiveNetworkProfile: 'string',
    FileTransferProtocols: 'MemberList',
    HeartbeatInterval: 'integer',
    MessageAttempts: 'integer',
    MessageAttemptInterval: 'integer',
    MessageTimeout: 'integer',
    MinimumStatusDuration: 'integer',
    NetworkConfigurationPriority: 'string',
    NetworkProfileConnectionAttempts: 'integer',
    OfflineThreshold: 'integer',
    PublicKeyWithSignedMeterValue: 'boolean',
    QueueAllMessages: 'boolean',
    RetryBackOffRepeatTimes: 'integer',
    RetryBackOffRandomRange: 'integer',
    RetryBackOffWaitMinimum: 'integer',
    UnlockOnEVSideDisconnect: 'boolean',
    WebSocketPingInterval: 'integer',
    FieldLength: 'integer',
  },
  ReservationCtrlr: {
    Enabled: 'boolean',
    Available: 'boolean',
    NonEvseSpecific: 'boolean',
  },
  SampledDataCtrlr: {
    Enabled: 'boolean',
    Available: 'boolean',
    SignReadings: 'boolean',
    TxEndedMeasurands: 'MemberList',
    TxEndedInterval: 'integer',
    TxStartedMeasurands: 'MemberList',
    TxUpdatedMeasurands: 'MemberList',
    TxUpdatedInterval: 'integer',
    RegisterValuesWithoutPhases: 'boolean',
  },
  SecurityCtrlr: {
    BasicAuthPassword: 'string',
    Identity: 'string',
    OrganizationName: 'string',
    CertSigningWaitMinimum: 'integer',
    CertSigningRepeatTimes: 'integer',
  },
  SmartChargingCtrlr: {
    Enabled: 'boolean',
    Available: 'boolean',
    ACPhaseSwitchingSupported: 'boolean',
    ProfileStackLevel: 'integer',
    RateUnit: 'MemberList',
    PeriodsPerSchedule: 'integer',
    ExternalControlSignalsEnabled: 'boolean',
    NotifyChargingLimitWithSchedules: 'boolean',
    Phases3to1: 'boolean',
    Entries: 'integer',
    LimitChangeSignificance: 'integer',
  },
  TariffCostCtrlr: {
    Enabled: 'boolean',
    Available: 'boolean',
    TariffFallbackMessage: 'string',
    TotalCostFallbackMessage: 'string',
    Currency: 'string',
  },
  TxCtrlr: {
    EVConnectionTimeOut: 'integer',
    TxBeforeAcceptedEnabled: 'boolean',
    TxStartPoint: 'MemberList',
    TxStopPoint: 'MemberList',
    MaxEnergyOnInvalidId: 'integer',
    StopTxOnInvalidId: 'boolean',
    StopTxOnEVSideDisconnect: 'boolean',
  },
};

/** Appendix 4: variable name → data type (and units), for any component. */
export const GENERIC_VARIABLES: Readonly<Record<string, StandardVariable>> = {
  ACCurrent: { dataType: 'decimal', units: ['A'] },
  Active: { dataType: 'boolean' },
  ACVoltage: { dataType: 'decimal', units: ['V'] },
  AllowReset: { dataType: 'boolean' },
  Angle: { dataType: 'decimal', units: ['Deg'] },
  Attempts: { dataType: 'integer' },
  AvailabilityState: { dataType: 'OptionList' },
  Available: { dataType: 'boolean' },
  Certificate: { dataType: 'string' },
  ChargingCompleteBulk: { dataType: 'boolean' },
  ChargingCompleteFull: { dataType: 'boolean' },
  ChargingTime: { dataType: 'decimal', units: ['s'] },
  Color: { dataType: 'string' },
  Complete: { dataType: 'boolean' },
  ConnectedTime: { dataType: 'decimal', units: ['s'] },
  ConnectorType: { dataType: 'OptionList' },
  Count: { dataType: 'integer' },
  Currency: { dataType: 'string' },
  CurrentImbalance: { dataType: 'decimal', units: ['Percent'] },
  DataText: { dataType: 'string' },
  DateTime: { dataType: 'dateTime' },
  DCCurrent: { dataType: 'decimal', units: ['A'] },
  DCVoltage: { dataType: 'decimal', units: ['V'] },
  DepartureTime: { dataType: 'dateTime' },
  ECVariant: { dataType: 'string' },
  Enabled: { dataType: 'boolean' },
  Energy: { dataType: 'decimal', units: ['Wh'] },
  EnergyCapacity: { dataType: 'decimal', units: ['Wh'] },
  EnergyExport: { dataType: 'decimal', units: ['Wh'] },
  EnergyExportRegister: { dataType: 'decimal', units: ['Wh'] },
  EnergyImport: { dataType: 'decimal', units: ['Wh'] },
  EnergyImportRegister: { dataType: 'decimal', units: ['Wh'] },
  Entries: { dataType: 'integer' },
  EvseId: { dataType: 'string' },
  Fallback: { dataType: 'boolean' },
  FanSpeed: { dataType: 'decimal', units: ['RPM'] },
  FirmwareVersion: { dataType: 'string' },
  Force: { dataType: 'decimal', units: ['N'] },
  Formats: { dataType: 'MemberList' },
  Frequency: { dataType: 'decimal', units: ['Hz'] },
  FuseRating: { dataType: 'decimal', units: ['A'] },
  Height: { dataType: 'decimal', units: ['m'] },
  Humidity: { dataType: 'decimal', units: ['RH'] },
  Hysteresis: { dataType: 'decimal', units: ['Percent'] },
  ICCID: { dataType: 'string' },
  Impedance: { dataType: 'decimal', units: ['Ohm'] },
  IMSI: { dataType: 'string' },
  Interval: { dataType: 'integer', units: ['s'] },
  Length: { dataType: 'decimal', units: ['m'] },
  Light: { dataType: 'decimal', units: ['lx'] },
  Manufacturer: { dataType: 'string' },
  Message: { dataType: 'string' },
  MinimumStatusDuration: { dataType: 'integer', units: ['s'] },
  Mode: { dataType: 'string' },
  Model: { dataType: 'string' },
  NetworkAddress: { dataType: 'string' },
  Operated: { dataType: 'boolean' },
  OperatingTimes: { dataType: 'string' },
  Overload: { dataType: 'boolean' },
  Percent: { dataType: 'decimal', units: ['Percent'] },
  PhaseRotation: { dataType: 'OptionList' },
  PostChargingTime: { dataType: 'decimal', units: ['s'] },
  Power: { dataType: 'decimal', units: ['W', 'kW'] },
  Problem: { dataType: 'boolean' },
  Protecting: { dataType: 'boolean' },
  RemainingTimeBulk: { dataType: 'integer', units: ['s'] },
  RemainingTimeFull: { dataType: 'integer', units: ['s'] },
  SeccId: { dataType: 'string' },
  SerialNumber: { dataType: 'string' },
  SignalStrength: { dataType: 'decimal', units: ['dBm'] },
  State: { dataType: 'string' },
  StateOfCharge: { dataType: 'decimal', units: ['Percent'] },
  StateOfChargeBulk: { dataType: 'decimal', units: ['Percent'] },
  Storage: { dataType: 'integer', units: ['B'] },
  SupplyPhases: { dataType: 'integer' },
  Suspending: { dataType: 'boolean' },
  Suspension: { dataType: 'boolean' },
  Temperature: { dataType: 'decimal', units: ['Celsius', 'Fahrenheit'] },
  Time: { dataType: 'dateTime' },
  TimeOffset: { dataType: 'string' },
  Timeout: { dataType: 'decimal', units: ['s'] },
  Token: { dataType: 'string' },
  TokenType: { dataType: 'OptionList' },
  Tries: { dataType: 'integer' },
  Tripped: { dataType: 'boolean' },
  VehicleId: { dataType: 'string' },
  VersionDate: { dataType: 'dateTime' },
  VersionNumber: { dataType: 'string' },
  VoltageImbalance: { dataType: 'decimal', units: ['Percent'] },
};

const controllerIndex = new Map<string, StandardVariable>();
for (const [component, variables] of Object.entries(CONTROLLER_VARIABLES)) {
  for (const [variable, dataType] of Object.entries(variables)) {
    controllerIndex.set(key(component, variable), { dataType });
  }
}
const genericIndex = new Map<string, StandardVariable>(
  Object.entries(GENERIC_VARIABLES).map(([variable, definition]) => [variable.toUpperCase(), definition]),
);

function key(component: string, variable: string): string {
  // A NUL cannot occur in either name, so the key is unambiguous.
  return `${component.toUpperCase()}\u0000${variable.toUpperCase()}`;
}

/**
 * The standardized definition of a variable of a component, matched case-insensitively (station
 * implementations differ in capitalisation, scenario 12). The controller's own table wins;
 * otherwise the Appendix 4 variable of that name, which any component may carry.
 */
export function standardVariable(component: string, variable: string): StandardVariable | undefined {
  return controllerIndex.get(key(component, variable)) ?? genericIndex.get(variable.toUpperCase());
}
