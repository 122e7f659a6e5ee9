/**
 * The precedence of DESIGN.md §4 over real ajv errors, including keywords the official
 * OCPP schemas do not use (pattern, multipleOf, minLength, exclusive bounds): a small schema
 * compiled here produces them.
 */
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { classifySchemaErrors, summariseSchemaErrors, MAX_DETAILED_ERRORS } from '../../src/rpc';

const ajv = new Ajv({ allErrors: true, strict: true });
addFormats(ajv, ['date-time', 'uri']);
const validate = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['id'],
  properties: {
    id: { type: 'string', pattern: '^[A-Z]+$', minLength: 2, maxLength: 4 },
    url: { type: 'string', format: 'uri' },
    step: { type: 'number', multipleOf: 0.5, exclusiveMinimum: 0, exclusiveMaximum: 10 },
    tags: { type: 'array', items: { type: 'string' }, uniqueItems: true, maxItems: 3 },
  },
});

function errorsOf(payload: unknown): ErrorObject[] {
  expect(validate(payload)).toBe(false);
  return validate.errors ?? [];
}

describe('classifySchemaErrors', () => {
  it.each([
    ['a pattern mismatch is a FormatViolation', { id: 'ab1' }, 'FormatViolation'],
    ['a uri that is not one is a FormatViolation', { id: 'AB', url: 'not a uri' }, 'FormatViolation'],
    ['a too-short string is a PropertyConstraintViolation', { id: 'A' }, 'PropertyConstraintViolation'],
    ['a multipleOf miss is a PropertyConstraintViolation', { id: 'AB', step: 0.3 }, 'PropertyConstraintViolation'],
    ['an exclusive bound is a PropertyConstraintViolation', { id: 'AB', step: 10 }, 'PropertyConstraintViolation'],
    ['too many items is an OccurrenceConstraintViolation', { id: 'AB', tags: ['a', 'b', 'c', 'd'] }, 'OccurrenceConstraintViolation'],
    ['a pattern mismatch beats a length error', { id: 'abcde' }, 'FormatViolation'],
    ['a missing property beats a pattern mismatch', { url: 'x' }, 'OccurrenceConstraintViolation'],
    ['a keyword outside the table (uniqueItems) is a GenericError', { id: 'AB', tags: ['a', 'a'] }, 'GenericError'],
  ])('%s', (_name, payload, code) => {
    expect(classifySchemaErrors(errorsOf(payload))).toBe(code);
  });

  it('should call an empty error list a GenericError rather than guess', () => {
    expect(classifySchemaErrors([])).toBe('GenericError');
  });
});

describe('summariseSchemaErrors', () => {
  it('should describe the decisive error, count the others and list at most MAX_DETAILED_ERRORS', () => {
    const errors = errorsOf({ id: 'abcde', url: 'x', step: 0.3, extra: 1, more: 2 });
    const many = [...errors, ...errors, ...errors];
    const { description, details } = summariseSchemaErrors('Thing request', classifySchemaErrors(many), many);
    expect(description).toMatch(/^Thing request: \(payload\) must not have property '(extra|more)' \(\d+ more\)$/);
    expect(details.errorCount).toBe(many.length);
    expect(details.errors).toHaveLength(MAX_DETAILED_ERRORS);
  });
});
