/** A set of chunk indices as a bitfield: compact enough to send and store on every change. */
export class ChunkMap {
  readonly bits: Uint8Array;
  private present = 0;

  constructor(readonly chunkCount: number, bits?: Uint8Array) {
    this.bits = new Uint8Array(Math.ceil(chunkCount / 8));
    if (bits) {
      this.bits.set(bits.subarray(0, this.bits.length));
      for (let i = 0; i < chunkCount; i++) if (this.has(i)) this.present++;
    }
  }

  has(index: number): boolean {
    return (this.bits[index >> 3]! & (1 << (index & 7))) !== 0;
  }

  add(index: number): boolean {
    if (index < 0 || index >= this.chunkCount || this.has(index)) return false;
    this.bits[index >> 3]! |= 1 << (index & 7);
    this.present++;
    return true;
  }

  delete(index: number): void {
    if (!this.has(index)) return;
    this.bits[index >> 3]! &= ~(1 << (index & 7));
    this.present--;
  }

  get count(): number {
    return this.present;
  }

  get complete(): boolean {
    return this.present === this.chunkCount;
  }

  /** Indices not in the map, in order. */
  *missing(): Generator<number> {
    for (let i = 0; i < this.chunkCount; i++) if (!this.has(i)) yield i;
  }

  toBase64(): string {
    let s = '';
    for (const b of this.bits) s += String.fromCharCode(b);
    return btoa(s);
  }

  static fromBase64(chunkCount: number, b64: string): ChunkMap {
    const raw = atob(b64);
    const bits = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) bits[i] = raw.charCodeAt(i);
    return new ChunkMap(chunkCount, bits);
  }
}
