import { RemovalPolicy } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allowCloudWatchLogs } from './pipeline-key';

export interface PhiProtectedLogGroupProps {
  readonly encryptionKey: kms.IKey;
  /** @default logs.RetentionDays.ONE_YEAR */
  readonly retention?: logs.RetentionDays;
  /** Identifiers masked on top of `PHI_LOG_DATA_IDENTIFIERS`. @default - none */
  readonly additionalDataIdentifiers?: logs.DataIdentifier[];
}

/**
 * CloudWatch Logs has no managed identifier for dates of birth or medical record
 * numbers, so these two are custom identifiers: a date (DICOM `YYYYMMDD`, ISO or
 * `DD/MM/YYYY`) within a few characters after "birth"/"DOB", and an identifier
 * after "MRN"/"medical record"; the date may follow a tag name (`PatientBirthDate=`).
 */
// Letter classes instead of an inline (?i) flag, which CloudWatch's regex syntax does not document.
export const DATE_OF_BIRTH_PATTERN = '([Bb][Ii][Rr][Tt][Hh]|[Dd][Oo][Bb])\\D{0,20}(\\d{8}|\\d{4}-\\d{2}-\\d{2}|\\d{1,2}[./-]\\d{1,2}[./-]\\d{2,4})';
export const MEDICAL_RECORD_NUMBER_PATTERN = '([Mm][Rr][Nn]|[Mm]edical.?[Rr]ecord(.?[Nn]umber)?)\\W{0,10}[A-Za-z0-9-]{4,20}';
const DATE_OF_BIRTH = new logs.CustomDataIdentifier('DateOfBirth', DATE_OF_BIRTH_PATTERN);
const MEDICAL_RECORD_NUMBER = new logs.CustomDataIdentifier('MedicalRecordNumber', MEDICAL_RECORD_NUMBER_PATTERN);

/**
 * What every log group of the library masks (README "PHI in logs"): names,
 * addresses and contact details; dates of birth and medical record numbers
 * (custom identifiers); health insurance, health service and national ids of the
 * countries CloudWatch Logs offers managed identifiers for (US, GB, CA, EU, FR,
 * DE, ES, IT, BR); passports, driving licences and postcodes that locate a patient.
 */
export const PHI_LOG_DATA_IDENTIFIERS: readonly logs.DataIdentifier[] = [
  // Person, contact, location
  logs.DataIdentifier.NAME,
  logs.DataIdentifier.ADDRESS,
  logs.DataIdentifier.EMAILADDRESS,
  logs.DataIdentifier.IPADDRESS,
  logs.DataIdentifier.LATLONG,
  logs.DataIdentifier.ZIPCODE_US,
  logs.DataIdentifier.POSTALCODE_CA,
  logs.DataIdentifier.CEPCODE_BR,
  logs.DataIdentifier.PHONENUMBER_US,
  logs.DataIdentifier.PHONENUMBER_GB,
  logs.DataIdentifier.PHONENUMBER_DE,
  logs.DataIdentifier.PHONENUMBER_FR,
  logs.DataIdentifier.PHONENUMBER_ES,
  logs.DataIdentifier.PHONENUMBER_IT,
  logs.DataIdentifier.PHONENUMBER_BR,
  DATE_OF_BIRTH,
  MEDICAL_RECORD_NUMBER,
  // Health and insurance numbers
  logs.DataIdentifier.HEALTHINSURANCECLAIMNUMBER_US,
  logs.DataIdentifier.MEDICAREBENEFICIARYNUMBER_US,
  logs.DataIdentifier.NATIONALPROVIDERID_US,
  logs.DataIdentifier.DRUGENFORCEMENTAGENCYNUMBER_US,
  logs.DataIdentifier.NHSNUMBER_GB,
  logs.DataIdentifier.PERSONALHEALTHNUMBER_CA,
  logs.DataIdentifier.HEALTHINSURANCECARDNUMBER_EU,
  logs.DataIdentifier.HEALTHINSURANCENUMBER_FR,
  // National identity numbers
  logs.DataIdentifier.SSN_US,
  logs.DataIdentifier.SSN_ES,
  logs.DataIdentifier.NATIONALINSURANCENUMBER_GB,
  logs.DataIdentifier.SOCIALINSURANCENUMBER_CA,
  logs.DataIdentifier.INSEECODE_FR,
  logs.DataIdentifier.NATIONALIDENTIFICATIONNUMBER_DE,
  logs.DataIdentifier.NATIONALIDENTIFICATIONNUMBER_ES,
  logs.DataIdentifier.NATIONALIDENTIFICATIONNUMBER_IT,
  logs.DataIdentifier.CPFCODE_BR,
  // Travel and driving documents
  logs.DataIdentifier.PASSPORTNUMBER_US,
  logs.DataIdentifier.PASSPORTNUMBER_GB,
  logs.DataIdentifier.PASSPORTNUMBER_CA,
  logs.DataIdentifier.DRIVERSLICENSE_US,
  logs.DataIdentifier.DRIVERSLICENSE_GB,
  logs.DataIdentifier.DRIVERSLICENSE_CA,
];

/** The library's PHI-masking data-protection policy, plus `additional` identifiers (deduplicated by name). */
export function phiDataProtectionPolicy(additional: logs.DataIdentifier[] = []): logs.DataProtectionPolicy {
  const byName = new Map<string, logs.DataIdentifier>();
  for (const identifier of [...PHI_LOG_DATA_IDENTIFIERS, ...additional]) byName.set(identifier.name, identifier);
  return new logs.DataProtectionPolicy({
    name: 'mask-personal-identifiers',
    description: 'Masks names, dates of birth, record numbers, addresses, contact details and ids that must never be logged.',
    identifiers: [...byName.values()],
  });
}

/**
 * A KMS-encrypted log group, retained on stack deletion, with a CloudWatch Logs
 * data-protection policy that masks personal identifiers should any slip into a
 * log line (defence in depth: handlers already log PHI-free fields only).
 */
export function createPhiProtectedLogGroup(scope: Construct, id: string, props: PhiProtectedLogGroupProps): logs.LogGroup {
  allowCloudWatchLogs(props.encryptionKey);
  return new logs.LogGroup(scope, id, {
    encryptionKey: props.encryptionKey,
    retention: props.retention ?? logs.RetentionDays.ONE_YEAR,
    removalPolicy: RemovalPolicy.RETAIN,
    dataProtectionPolicy: phiDataProtectionPolicy(props.additionalDataIdentifiers),
  });
}
