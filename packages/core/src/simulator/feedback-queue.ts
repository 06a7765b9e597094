import { CandidateChannels } from './channels';

/** Kinds of feedback the logging system learns from. */
const click = 0;
const purchase = 1;

/**
 * Clicks and purchases waiting for their instant: a binary min-heap on time, so that the
 * logging system learns of a click only once it has happened (a request at t sees exactly the
 * feedback strictly before t, like gfr's point-in-time features), even though outcomes are
 * drawn when the feed is shown. Parallel arrays instead of one object per entry.
 */
export class FeedbackQueue {
  private times: number[] = [];
  private users: number[] = [];
  private items: number[] = [];
  private kinds: number[] = [];

  /** Number of waiting entries. */
  get size(): number {
    return this.times.length;
  }

  /** Queues the click of an outcome and, when it converted, its purchase. */
  push(outcome: { clickMs: number; purchaseMs: number | null }, user: number, item: number) {
    this.insert(outcome.clickMs, user, item, click);
    if (outcome.purchaseMs !== null) this.insert(outcome.purchaseMs, user, item, purchase);
  }

  /** Hands every entry strictly before `timeMs` to the channels, earliest first. */
  applyUntil(timeMs: number, channels: CandidateChannels): void {
    while (this.times.length > 0 && this.times[0] < timeMs) {
      const user = this.users[0];
      const item = this.items[0];
      if (this.kinds[0] === click) channels.recordClick(user, item);
      else channels.recordPurchase(user, item);
      this.removeFirst();
    }
  }

  private insert(time: number, user: number, item: number, kind: number): void {
    let index = this.times.length;
    this.times.push(time);
    this.users.push(user);
    this.items.push(item);
    this.kinds.push(kind);
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  private removeFirst(): void {
    const last = this.times.length - 1;
    this.swap(0, last);
    this.times.pop();
    this.users.pop();
    this.items.pop();
    this.kinds.pop();
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < this.times.length && this.before(left, smallest)) smallest = left;
      if (right < this.times.length && this.before(right, smallest)) smallest = right;
      if (smallest === index) return;
      this.swap(index, smallest);
      index = smallest;
    }
  }

  /** Earlier time first; ties in insertion-independent order (user, item, kind) for determinism. */
  private before(left: number, right: number): boolean {
    return (
      (this.times[left] - this.times[right] ||
        this.users[left] - this.users[right] ||
        this.items[left] - this.items[right] ||
        this.kinds[left] - this.kinds[right]) < 0
    );
  }

  private swap(left: number, right: number): void {
    swapEntries(this.times, left, right);
    swapEntries(this.users, left, right);
    swapEntries(this.items, left, right);
    swapEntries(this.kinds, left, right);
  }
}

function swapEntries(array: number[], left: number, right: number): void {
  const held = array[left];
  array[left] = array[right];
  array[right] = held;
}
