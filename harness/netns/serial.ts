/**
 * Runs async work one piece at a time, in call order; a failed piece does not stop the next. The
 * link and hub controls change whole nft tables: a timed restore, a heal and a counter read may race.
 */
export class Serial {
  private tail: Promise<void> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}
