/** What a transfer session needs from a live connection: send, and wait for room to send. */
export interface ChannelPort {
  readonly generation: string;
  /** False once this connection is gone; a session must stop using it. */
  readonly alive: boolean;
  send(data: string | ArrayBuffer): void;
  readonly bufferedAmount: number;
  /** Resolves when the send buffer drains below the low-water mark, or the connection dies. */
  waitForLowBuffer(): Promise<void>;
}
