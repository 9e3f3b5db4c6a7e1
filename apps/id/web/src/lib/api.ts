/** The one way the app talks to Hearth ID: JSON in and out, errors as ApiError. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The input at fault (`username`, `callbackUrls.1`, ...), shown beside that input. */
    readonly field?: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers:
        body === undefined
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': body instanceof Blob ? body.type || 'application/octet-stream' : 'application/json' },
      // A file (a client's logo) goes as its own bytes; the server judges them, not this type.
      body: body === undefined ? undefined : body instanceof Blob ? body : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'Hearth ID did not answer. Check your connection and try again.');
  }
  if (response.status === 204) return undefined as T;
  const data: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = (data ?? {}) as { error?: string; message?: string; field?: string };
    throw new ApiError(response.status, error.error ?? 'error', error.message ?? `The request failed (${response.status}).`, error.field);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  patch: <T>(path: string, body: unknown) => request<T>('PATCH', path, body),
  put: <T>(path: string, body: unknown) => request<T>('PUT', path, body),
  delete: (path: string) => request<void>('DELETE', path),
};

/** The message for an input: the server's, when it named this field (or one of its items). */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError) || !error.field) return undefined;
  return error.field === field || error.field.startsWith(`${field}.`) ? error.message : undefined;
}

/** The message for the whole form: only when no single input is at fault. */
export function formError(error: unknown, fields: readonly string[] = []): string | undefined {
  if (!error) return undefined;
  if (error instanceof ApiError) return fields.some((field) => fieldError(error, field)) ? undefined : error.message;
  return error instanceof Error ? error.message : String(error);
}
