/**
 * The sender's memory of transfers it started, kept in localStorage (on disk, in the profile) so
 * that a crashed or closed sender tab can pick the same file again and continue the same transfer.
 * Keyed by file name and size; the whole-file BLAKE3 decides whether it is really the same file.
 */
export interface OutgoingTransfer {
  room: string;
  token: string;
  transferId: string;
  fileHash: string;
  chunkSize: number;
}

const PREFIX = 'outgoing:';

function key(name: string, size: number): string {
  return `${PREFIX}${size}:${name}`;
}

export function findOutgoing(name: string, size: number): OutgoingTransfer | undefined {
  const raw = localStorage.getItem(key(name, size));
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as Partial<OutgoingTransfer>;
    if (typeof v.room === 'string' && typeof v.token === 'string' && typeof v.transferId === 'string' && typeof v.fileHash === 'string' && Number.isInteger(v.chunkSize)) {
      return v as OutgoingTransfer;
    }
  } catch {
    // A damaged record is no record: the transfer starts fresh.
  }
  localStorage.removeItem(key(name, size));
  return undefined;
}

export function rememberOutgoing(name: string, size: number, t: OutgoingTransfer): void {
  localStorage.setItem(key(name, size), JSON.stringify(t));
}

export function forgetOutgoing(name: string, size: number): void {
  localStorage.removeItem(key(name, size));
}
