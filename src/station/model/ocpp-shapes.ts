/**
 * The OCPP 2.0.1 message types the station models read, taken from the types generated from
 * the official JSON schemas (schemas/types.generated.ts), plus the enumerations as runtime
 * lists, for validating snapshots and values. One import point, so the models name the
 * generated types the same way everywhere.
 */
import type {
  AttributeEnumType,
  ConnectorStatusEnumType,
  DataEnumType,
} from '../../../schemas/types.generated';

export type {
  AttributeEnumType,
  ChangeAvailabilityRequest,
  ChangeAvailabilityStatusEnumType,
  ComponentType,
  ConnectorStatusEnumType,
  DataEnumType,
  EVSEType,
  GenericDeviceModelStatusEnumType,
  GetVariableResultType,
  GetVariablesRequest,
  GetVariablesResponse,
  MutabilityEnumType,
  NotifyReportRequest,
  OperationalStatusEnumType,
  ReportDataType,
  SetVariableDataType,
  SetVariableResultType,
  SetVariablesRequest,
  SetVariablesResponse,
  StatusNotificationRequest,
  VariableAttributeType,
  VariableCharacteristicsType,
  VariableType,
} from '../../../schemas/types.generated';

export const DATA_TYPES = [
  'string',
  'decimal',
  'integer',
  'dateTime',
  'boolean',
  'OptionList',
  'SequenceList',
  'MemberList',
] as const satisfies readonly DataEnumType[];

/** AttributeEnumType; absent in a message means Actual (its schema default). */
export const ATTRIBUTE_TYPES = ['Actual', 'Target', 'MinSet', 'MaxSet'] as const satisfies readonly AttributeEnumType[];

export const CONNECTOR_STATUSES = [
  'Available',
  'Occupied',
  'Reserved',
  'Unavailable',
  'Faulted',
] as const satisfies readonly ConnectorStatusEnumType[];
