import type { APIGatewayProxyResult } from 'aws-lambda';
import type { HttpError } from './http-error.js';

// Client bodies carry secrets: no cache may keep them.
const COMMON_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
};

export function jsonResponse(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return { statusCode, headers: { ...COMMON_HEADERS, ...headers }, body: JSON.stringify(body) };
}

/** 204: no body, and nothing for a cache to keep. */
export function noContent(): APIGatewayProxyResult {
  return { statusCode: 204, headers: { 'Cache-Control': 'no-store' }, body: '' };
}

export function errorResponse(error: HttpError): APIGatewayProxyResult {
  return jsonResponse(error.statusCode, error.toBody(), error.headers);
}
