/** The app's errors: a fixed code, what happened, the context, and what the user can do. */
export type AppErrorCode =
  | 'ERR_CHUNK_HASH_MISMATCH'
  | 'ERR_FILE_HASH_MISMATCH'
  | 'ERR_FILE_MISMATCH'
  | 'ERR_QUOTA_EXCEEDED'
  | 'ERR_SIGNALING_UNREACHABLE'
  | 'ERR_TURN_UNREACHABLE'
  | 'ERR_TURN_AUTH'
  | 'ERR_PEER_REFUSED'
  | 'ERR_RESUME_UNAUTHORIZED'
  | 'ERR_PEER_UNAUTHORIZED'
  | 'ERR_SESSION_KEY_MISSING'
  | 'ERR_CONFIG'
  | 'ERR_PROTOCOL';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly hint = '',
    readonly context: Record<string, unknown> = {},
  ) {
    super(`${code}: ${message}`);
    this.name = 'AppError';
  }
}
