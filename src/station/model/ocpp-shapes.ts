/**
 * The parts of the OCPP 2.0.1 message payloads the station models read, written to the shapes
 * of the official JSON schemas in schemas/ (NotifyReportRequest, GetVariables*, SetVariables*,
 * StatusNotificationRequest, GetBaseReport*, GetReport*, ChangeAvailability*).
 *
 * The models accept these structural types rather than the generated message interfaces so that
 * any payload the generated types describe is accepted here too (TypeScript compares shapes, and
 * these only name the fields the models use, all optional where the schema makes them optional).
 */

/** DataEnumType. */
export type DataType =
  | 'string'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'boolean'
  | 'OptionList'
  | 'SequenceList'
  | 'MemberList';

export const DATA_TYPES: readonly DataType[] = [
  'string',
  'decimal',
  'integer',
  'dateTime',
  'boolean',
  'OptionList',
  'SequenceList',
  'MemberList',
];

/** AttributeEnumType; absent in a message means Actual (its schema default). */
export type AttributeType = 'Actual' | 'Target' | 'MinSet' | 'MaxSet';
export const ATTRIBUTE_TYPES: readonly AttributeType[] = ['Actual', 'Target', 'MinSet', 'MaxSet'];

/** MutabilityEnumType; absent means ReadWrite (its schema default). */
export type Mutability = 'ReadOnly' | 'WriteOnly' | 'ReadWrite';

/** ConnectorStatusEnumType. */
export type ConnectorStatus = 'Available' | 'Occupied' | 'Reserved' | 'Unavailable' | 'Faulted';
export const CONNECTOR_STATUSES: readonly ConnectorStatus[] = [
  'Available',
  'Occupied',
  'Reserved',
  'Unavailable',
  'Faulted',
];

/** OperationalStatusEnumType (ChangeAvailabilityRequest). */
export type OperationalStatus = 'Operative' | 'Inoperative';

export interface EvseRef {
  id: number;
  connectorId?: number;
}

export interface ComponentShape {
  name: string;
  instance?: string;
  evse?: EvseRef;
}

export interface VariableShape {
  name: string;
  instance?: string;
}

export interface VariableAttributeShape {
  type?: AttributeType;
  value?: string;
  mutability?: Mutability;
  persistent?: boolean;
  constant?: boolean;
}

export interface VariableCharacteristicsShape {
  unit?: string;
  dataType: DataType;
  minLimit?: number;
  maxLimit?: number;
  valuesList?: string;
  supportsMonitoring: boolean;
}

export interface ReportDataShape {
  component: ComponentShape;
  variable: VariableShape;
  variableAttribute: VariableAttributeShape[];
  variableCharacteristics?: VariableCharacteristicsShape;
}

export interface NotifyReportShape {
  requestId: number;
  generatedAt: string;
  tbc?: boolean;
  seqNo: number;
  reportData?: ReportDataShape[];
}

export interface GetVariableDataShape {
  attributeType?: AttributeType;
  component: ComponentShape;
  variable: VariableShape;
}

export type GetVariableStatus =
  | 'Accepted'
  | 'Rejected'
  | 'UnknownComponent'
  | 'UnknownVariable'
  | 'NotSupportedAttributeType';

export interface GetVariableResultShape {
  attributeStatus: GetVariableStatus;
  attributeType?: AttributeType;
  attributeValue?: string;
  component: ComponentShape;
  variable: VariableShape;
}

export interface GetVariablesResponseShape {
  getVariableResult: GetVariableResultShape[];
}

export interface SetVariableDataShape {
  attributeType?: AttributeType;
  attributeValue: string;
  component: ComponentShape;
  variable: VariableShape;
}

export interface SetVariablesRequestShape {
  setVariableData: SetVariableDataShape[];
}

export type SetVariableStatus =
  | 'Accepted'
  | 'Rejected'
  | 'UnknownComponent'
  | 'UnknownVariable'
  | 'NotSupportedAttributeType'
  | 'RebootRequired';

export interface SetVariableResultShape {
  attributeType?: AttributeType;
  attributeStatus: SetVariableStatus;
  component: ComponentShape;
  variable: VariableShape;
}

export interface SetVariablesResponseShape {
  setVariableResult: SetVariableResultShape[];
}

export interface StatusNotificationShape {
  timestamp: string;
  connectorStatus: ConnectorStatus;
  evseId: number;
  connectorId: number;
}

export interface ChangeAvailabilityShape {
  operationalStatus: OperationalStatus;
  evse?: EvseRef;
}

/** GenericDeviceModelStatusEnumType: the answer to GetBaseReport and GetReport. */
export type ReportRequestStatus = 'Accepted' | 'Rejected' | 'NotSupported' | 'EmptyResultSet';
