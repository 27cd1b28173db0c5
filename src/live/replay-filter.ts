/**
 * Recognises lines a reconnect replays, by their event data exactly as sent. A reconnect resumes
 * at (or a configured overlap before) the newest line delivered, so only the lines delivered
 * since that point are remembered; each may arrive once more and is dropped once. Counts rather
 * than a set: two identical lines are both legitimate.
 */
export class ReplayFilter {
  /** Lines delivered no earlier than the resume point that a reconnect would use, oldest first. */
  private readonly recent: Array<{ micros: number; key: string }> = [];
  private replayable = new Map<string, number>();

  /** A connection starts at `startMicros`: what was delivered from there on may come again. */
  expectReplayFrom(startMicros: number): void {
    this.forgetBefore(startMicros);
    this.replayable = new Map();
    for (const { key } of this.recent)
      this.replayable.set(key, (this.replayable.get(key) ?? 0) + 1);
  }

  /** True, once per earlier delivery, for a line the client already has. */
  isReplay(key: string): boolean {
    const count = this.replayable.get(key);
    if (!count) return false;
    if (count === 1) this.replayable.delete(key);
    else this.replayable.set(key, count - 1);
    return true;
  }

  delivered(key: string, micros: number, resumePointMicros: number): void {
    this.recent.push({ micros, key });
    this.forgetBefore(resumePointMicros);
  }

  /**
   * A filter of its own remembering the same delivered lines, for another connection that goes
   * on from the same point (it calls `expectReplayFrom` before anything else).
   */
  copy(): ReplayFilter {
    const copy = new ReplayFilter();
    copy.recent.push(...this.recent);
    return copy;
  }

  /**
   * Recognises, once per delivery, what a connection of another tail going on from `startMicros`
   * brings again of the lines remembered here. It holds those lines until it has seen them, and
   * nothing else (no lines to hand on to a later copy).
   */
  replaysFrom(startMicros: number): (key: string) => boolean {
    const replays = this.copy();
    replays.expectReplayFrom(startMicros);
    replays.recent.length = 0;
    return (key) => replays.isReplay(key);
  }

  /** How many delivered lines are remembered (bounded by the line rate over the overlap). */
  get remembered(): number {
    return this.recent.length;
  }

  private forgetBefore(micros: number): void {
    let drop = 0;
    while (drop < this.recent.length && this.recent[drop]!.micros < micros) drop += 1;
    if (drop > 0) this.recent.splice(0, drop);
  }
}
