import type { ParsedHead } from './types.js';

/**
 * Counts the occurrences of a header (lower-case `name`) in the raw headers; falls back to the
 * parsed header map when the caller gave no raw headers.
 */
export function countHeader(head: ParsedHead, name: string): number {
  const raw = head.rawHeaders;
  if (raw.length === 0) {
    const value = head.headers[name];
    if (value === undefined) return 0;
    return Array.isArray(value) ? value.length : 1;
  }
  let count = 0;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length === name.length && key.toLowerCase() === name) count++;
  }
  return count;
}

/** The single value of a header, or `undefined` when absent. A repeated header yields its first value. */
export function headerValue(head: ParsedHead, name: string): string | undefined {
  const value = head.headers[name];
  if (value === undefined) return undefined;
  return Array.isArray(value) ? (value[0] as string | undefined) : value;
}
