import { answerFor, type ErrorCode } from './error-table';

/**
 * RFC 9457 problem details with the stable `code` clients switch on (API.md, Conventions).
 */
export interface ProblemBody {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly errors?: readonly ProblemFieldError[];
  readonly [extra: string]: unknown;
}

export interface ProblemFieldError {
  readonly field: string;
  readonly message: string;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A failure raised by the api itself (guards, pipes, controllers); its status is the error table's for `code`. */
export class ProblemError extends Error {
  constructor(
    readonly code: ErrorCode,
    detail: string,
    readonly extra: Readonly<Record<string, unknown>> = {},
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail);
  }

  get status(): number {
    return answerFor(this.code).status;
  }
}

/** The problem+json body for `code`: status and public code from the error table. */
export function problem(
  code: ErrorCode,
  detail: string,
  extra: Readonly<Record<string, unknown>> = {},
): ProblemBody {
  const answer = answerFor(code);
  return {
    type: `https://nomination-approvals.local/problems/${answer.code.replace(/_/g, '-')}`,
    title: TITLES[answer.status] ?? 'Error',
    status: answer.status,
    detail,
    code: answer.code,
    ...extra,
  };
}
