/** The sweeper's schedule (template: rate(1 minute)), compressed, and on demand; one sweep at a time. */
import * as crypto from 'crypto';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './template';

export class SweepSchedule {
  private timer?: NodeJS.Timeout;
  private sweeping?: Promise<unknown>;

  /** @param invoke runs the sweeper with a Scheduled Event */
  constructor(private readonly invoke: (event: unknown) => Promise<unknown>) {}

  /** True while a sweep runs. */
  public get running(): boolean {
    return this.sweeping !== undefined;
  }

  /** Invoke the sweeper once, as its schedule would (joins a sweep already running). */
  public sweep(): Promise<unknown> {
    if (this.sweeping !== undefined) return this.sweeping;
    const run = this.invoke({
      'version': '0',
      'id': crypto.randomUUID(),
      'detail-type': 'Scheduled Event',
      'source': 'aws.events',
      'account': LOCAL_ACCOUNT,
      'time': new Date().toISOString(),
      'region': LOCAL_REGION,
      'resources': [],
      'detail': {},
    });
    this.sweeping = run.finally(() => {
      this.sweeping = undefined;
    });
    return this.sweeping;
  }

  public start(intervalMs: number): void {
    this.timer = setInterval(() => {
      if (this.sweeping === undefined) void this.sweep().catch(() => undefined);
    }, intervalMs);
  }

  /** Stops the schedule; resolves when a sweep still running has ended. */
  public stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    return this.sweeping?.then(() => undefined, () => undefined) ?? Promise.resolve();
  }
}
