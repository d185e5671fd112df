/** The faults a run injects on purpose, and how many it injected. */
import type { LambdaHost } from './lambda-host';

export interface FaultPlan {
  /** EventBridge delivers every matched event to a queue target twice (at-least-once). */
  readonly duplicateDelivery?: boolean;
  /** Kill the ingest function's environment once, after it logged this many processed objects in one run. */
  readonly ingestCrashAfterObjects?: number;
  /**
   * Lambda service errors for Task states whose name matches `stateName`: the
   * first invocations of each such state in each execution fail with these
   * error names in turn (e.g. throttling, then a service error), then the
   * function runs. The state machine's Retry must absorb them.
   */
  readonly lambdaServiceErrors?: { readonly stateName: RegExp; readonly errors: readonly string[] };
}

export class FaultInjector {
  /** Invocations so far per `<execution>/<state>` that the plan's Lambda service errors apply to. */
  private readonly serviceFaultCounts = new Map<string, number>();

  constructor(private readonly plan: FaultPlan = {}) {}

  /** Copies of each matched event a queue target receives. */
  public get queueCopies(): number {
    return this.plan.duplicateDelivery ? 2 : 1;
  }

  public installCrashFault(host: LambdaHost, ingestFunction: string): void {
    if (this.plan.ingestCrashAfterObjects === undefined) return;
    host.addCrashFault({ logicalId: ingestFunction, match: /"message":"Object processed"/, count: this.plan.ingestCrashAfterObjects });
  }

  /** The error the Lambda service returns for this invocation of a Task state, if the plan says so. */
  public serviceFault(stateName: string, executionName: string): Error | undefined {
    const plan = this.plan.lambdaServiceErrors;
    if (plan === undefined || !plan.stateName.test(stateName)) return undefined;
    const key = `${executionName}/${stateName}`;
    const count = this.serviceFaultCounts.get(key) ?? 0;
    this.serviceFaultCounts.set(key, count + 1);
    if (count >= plan.errors.length) return undefined;
    const error = new Error('Injected by the local runner (fault plan)');
    error.name = plan.errors[count];
    return error;
  }

  /** How many Lambda service errors the plan injected. */
  public get injectedServiceErrors(): number {
    const plan = this.plan.lambdaServiceErrors;
    if (plan === undefined) return 0;
    return [...this.serviceFaultCounts.values()].reduce((n, c) => n + Math.min(c, plan.errors.length), 0);
  }
}
