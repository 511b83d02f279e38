import { maskPhone } from '@codcall/logging';
import type { CallRecord } from './call-record';

/** Column names that hold a phone number whatever their value looks like. */
const PHONE_COLUMN = /(phone|mobile|msisdn|whatsapp|cell|^tel|_tel)/i;
/** A value that is a phone number on its own: E.164, spaces, dashes, dots and brackets allowed. */
const PHONE_VALUE = /^\+[1-9][\d\s().-]{6,20}$/;

function digitCount(value: string): number {
  return value.replace(/\D/g, '').length;
}

/** True for a CSV cell that holds a phone number: by its column's name or by its shape. */
export function isPhoneField(column: string, value: string): boolean {
  if (PHONE_COLUMN.test(column) && digitCount(value) >= 6) return true;
  return PHONE_VALUE.test(value.trim()) && digitCount(value) <= 15;
}

/** The row's columns with every phone number masked, for records kept on disk. */
export function maskPhoneFields(context: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(context).map(([column, value]) => [column, isPhoneField(column, value) ? maskPhone(value) : value]));
}

/** The call record as it is archived: numbers masked unless the operator keeps them whole. */
export function recordForArchive(record: CallRecord, keepFullNumbers: boolean): CallRecord {
  if (keepFullNumbers) return record;
  return { ...record, to: maskPhone(record.to), context: maskPhoneFields(record.context) };
}
