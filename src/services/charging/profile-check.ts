/**
 * A SetChargingProfile request an operator writes (admin API), checked before it is sent: first
 * against the official SetChargingProfileRequest schema (the one the wire uses), then the rules
 * of K01 the schema cannot say (ChargingProfileType's descriptions): the CSMS does not set
 * ChargingStationExternalConstraints (external systems do, K12), a TxProfile names its
 * transaction and no other purpose does, a ChargingStationMaxProfile is for EVSE 0, a Recurring
 * profile has its recurrency kind, an Absolute or Recurring schedule its startSchedule and a
 * Relative one none (Relative periods start with the transaction: edition 2 errata 2023-12
 * §2.10.1), periods start at 0 and ascend, limits have one decimal at most
 * (ChargingSchedulePeriodType.limit), real date-times, validFrom before validTo. A bad request is one InvalidInputError naming the field.
 */
import { validateRequest, type RequestOf } from '../../../schemas';
import { InvalidInputError } from '../../errors';
import { SCHEMA_ERROR_PRECEDENCE } from '../../rpc/schema-errors';
import { checkDateTime, schemaErrorField, schemaErrorReason } from '../validate';

/** The request, typed, when it is one a station may be sent; else InvalidInputError naming the first bad field. */
export function checkSetChargingProfile(value: unknown): RequestOf<'SetChargingProfile'> {
  const check = validateRequest('SetChargingProfile', value);
  if (!check.ok) {
    // The error a station would classify first (DESIGN.md §4's precedence) names the field.
    const decisive =
      SCHEMA_ERROR_PRECEDENCE.map(([, keywords]) => check.errors.find((e) => keywords.has(e.keyword))).find((e) => e !== undefined) ?? check.errors[0]!;
    throw new InvalidInputError(schemaErrorField('', decisive, '(body)'), schemaErrorReason(decisive));
  }
  const request = value as RequestOf<'SetChargingProfile'>;
  const profile = request.chargingProfile;
  const at = (field: string) => `chargingProfile.${field}`;
  // That purpose is what the station reports for limits set by an energy management system (K12), never the CSMS's to set.
  if (profile.chargingProfilePurpose === 'ChargingStationExternalConstraints') {
    throw new InvalidInputError(at('chargingProfilePurpose'), 'ChargingStationExternalConstraints profiles are set by external systems, not the CSMS');
  }
  if (profile.chargingProfilePurpose === 'TxProfile') {
    if (profile.transactionId === undefined) throw new InvalidInputError(at('transactionId'), 'required for a TxProfile (the transaction it limits)');
    if (request.evseId < 1) throw new InvalidInputError('evseId', 'a TxProfile is for one EVSE (at least 1)');
  } else if (profile.transactionId !== undefined) {
    throw new InvalidInputError(at('transactionId'), `only for a TxProfile, not a ${profile.chargingProfilePurpose}`);
  }
  if (profile.chargingProfilePurpose === 'ChargingStationMaxProfile' && request.evseId !== 0) {
    throw new InvalidInputError('evseId', 'a ChargingStationMaxProfile is for the whole station: evseId 0');
  }
  if (profile.chargingProfileKind === 'Recurring') {
    if (profile.recurrencyKind === undefined) throw new InvalidInputError(at('recurrencyKind'), 'required for a Recurring profile (Daily or Weekly)');
  } else if (profile.recurrencyKind !== undefined) {
    throw new InvalidInputError(at('recurrencyKind'), `only for a Recurring profile, not ${profile.chargingProfileKind}`);
  }
  checkDateTime(profile.validFrom, at('validFrom'));
  checkDateTime(profile.validTo, at('validTo'));
  if (profile.validFrom !== undefined && profile.validTo !== undefined && Date.parse(profile.validTo) <= Date.parse(profile.validFrom)) {
    throw new InvalidInputError(at('validTo'), 'must be after validFrom');
  }
  profile.chargingSchedule.forEach((schedule, s) => {
    const where = at(`chargingSchedule[${s}]`);
    checkDateTime(schedule.startSchedule, `${where}.startSchedule`);
    if (profile.chargingProfileKind !== 'Relative' && schedule.startSchedule === undefined) {
      throw new InvalidInputError(`${where}.startSchedule`, `required for an ${profile.chargingProfileKind} profile`);
    }
    if (profile.chargingProfileKind === 'Relative' && schedule.startSchedule !== undefined) {
      throw new InvalidInputError(`${where}.startSchedule`, 'not for a Relative profile (it starts with the transaction)');
    }
    schedule.chargingSchedulePeriod.forEach((period, p) => {
      const field = `${where}.chargingSchedulePeriod[${p}]`;
      if (p === 0 && period.startPeriod !== 0) throw new InvalidInputError(`${field}.startPeriod`, 'the first period starts at 0');
      if (p > 0 && period.startPeriod <= schedule.chargingSchedulePeriod[p - 1]!.startPeriod) throw new InvalidInputError(`${field}.startPeriod`, 'periods start in increasing order');
      if (period.limit < 0) throw new InvalidInputError(`${field}.limit`, 'must not be negative');
      if (Math.abs(period.limit * 10 - Math.round(period.limit * 10)) > 1e-9) throw new InvalidInputError(`${field}.limit`, 'at most one digit after the point');
    });
  });
  return request;
}
