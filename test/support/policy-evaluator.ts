/**
 * A small IAM policy evaluator for synthesized templates: enough of the AWS
 * policy evaluation logic to prove that a statement's conditions can (and only
 * can) match a given request. Explicit Deny wins over Allow; no matching Allow
 * is an implicit deny. Supports Effect, Principal (Service/AWS/*), Action and
 * Resource with `*`/`?` wildcards, NotAction, and the condition operators
 * StringEquals, StringNotEquals, StringLike, StringNotLike, ArnEquals, ArnLike,
 * ArnNotEquals, ArnNotLike and Bool, each with an `IfExists` form. A condition
 * key missing from the request context fails every operator but the IfExists
 * and negated ones, as in IAM.
 */

export type Decision = 'ALLOW' | 'EXPLICIT_DENY' | 'IMPLICIT_DENY';

export interface PolicyRequest {
  /** A service principal (`events.amazonaws.com`) or an IAM ARN; absent for identity policies. */
  readonly principal?: string;
  readonly action: string;
  readonly resource: string;
  /** Request context keys (`aws:SourceArn`, `kms:EncryptionContext:...`); names are case-insensitive. */
  readonly context?: Record<string, string | string[]>;
}

export interface PolicyStatementJson {
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: unknown;
  readonly Action?: string | string[];
  readonly NotAction?: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** Matches `*` (any run) and `?` (one character), case-sensitively unless told otherwise. */
export function wildcardMatch(pattern: string, value: string, ignoreCase = false): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, ignoreCase ? 'is' : 's').test(value);
}

/** ARN operators compare the six colon-separated parts one by one (the resource part keeps its colons). */
function arnMatch(pattern: string, value: string, like: boolean): boolean {
  const split = (arn: string) => {
    const parts = arn.split(':');
    return parts.length < 6 ? undefined : [...parts.slice(0, 5), parts.slice(5).join(':')];
  };
  const p = split(pattern);
  const v = split(value);
  if (!p || !v) return false;
  return p.every((part, i) => (like ? wildcardMatch(part, v[i]) : part === v[i]));
}

const as = (x: string | string[] | undefined): string[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);

type Compare = (pattern: string, value: string) => boolean;
const OPERATORS: Record<string, { compare: Compare; negated: boolean }> = {
  StringEquals: { compare: (p, v) => p === v, negated: false },
  StringNotEquals: { compare: (p, v) => p === v, negated: true },
  StringLike: { compare: (p, v) => wildcardMatch(p, v), negated: false },
  StringNotLike: { compare: (p, v) => wildcardMatch(p, v), negated: true },
  ArnEquals: { compare: (p, v) => arnMatch(p, v, false), negated: false },
  ArnNotEquals: { compare: (p, v) => arnMatch(p, v, false), negated: true },
  ArnLike: { compare: (p, v) => arnMatch(p, v, true), negated: false },
  ArnNotLike: { compare: (p, v) => arnMatch(p, v, true), negated: true },
  Bool: { compare: (p, v) => p.toLowerCase() === v.toLowerCase(), negated: false },
};

function contextValue(context: Record<string, string | string[]>, key: string): string[] | undefined {
  const found = Object.keys(context).find((k) => k.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : as(context[found]);
}

/** Every operator block and every key in it must hold (AND); any value of a key may match (OR). */
export function conditionsHold(conditions: PolicyStatementJson['Condition'], context: Record<string, string | string[]> = {}): boolean {
  return Object.entries(conditions ?? {}).every(([rawOperator, block]) => {
    const ifExists = rawOperator.endsWith('IfExists');
    const name = ifExists ? rawOperator.slice(0, -'IfExists'.length) : rawOperator;
    const operator = OPERATORS[name];
    if (!operator) throw new Error(`policy-evaluator: unsupported condition operator ${rawOperator}`);
    return Object.entries(block).every(([key, patterns]) => {
      const values = contextValue(context, key);
      if (values === undefined) return ifExists || operator.negated;
      const anyMatch = values.some((value) => as(patterns).some((pattern) => operator.compare(pattern, value)));
      return operator.negated ? !anyMatch : anyMatch;
    });
  });
}

function principalMatches(principal: unknown, requested: string | undefined): boolean {
  if (principal === undefined) return true; // identity policy: the principal is the role it is attached to
  if (requested === undefined) return false;
  if (principal === '*') return true;
  const p = principal as Record<string, string | string[]>;
  return [...as(p.Service), ...as(p.AWS)].some((x) => x === '*' || x === requested);
}

function actionMatches(statement: PolicyStatementJson, action: string): boolean {
  if (statement.NotAction !== undefined) return !as(statement.NotAction).some((p) => wildcardMatch(p, action, true));
  return as(statement.Action).some((p) => wildcardMatch(p, action, true));
}

/** Whether one statement applies to the request (principal, action, resource and conditions). */
export function statementApplies(statement: PolicyStatementJson, request: PolicyRequest): boolean {
  return principalMatches(statement.Principal, request.principal)
    && actionMatches(statement, request.action)
    && as(statement.Resource ?? '*').some((p) => wildcardMatch(p, request.resource))
    && conditionsHold(statement.Condition, request.context);
}

/** The decision of a set of statements (one or more policies) for the request. */
export function evaluate(statements: PolicyStatementJson[], request: PolicyRequest): Decision {
  const applying = statements.filter((s) => statementApplies(s, request));
  if (applying.some((s) => s.Effect === 'Deny')) return 'EXPLICIT_DENY';
  return applying.some((s) => s.Effect === 'Allow') ? 'ALLOW' : 'IMPLICIT_DENY';
}

export interface Pseudo {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
  /** Physical ids for `Ref`/`Fn::GetAtt` of template resources, by logical id; unknown ones become `<LogicalId>`. */
  readonly physical?: Record<string, string>;
}

/** Replaces Ref/Fn::GetAtt/Fn::Join/Fn::Select-free intrinsics in a policy document with concrete strings. */
export function resolveIntrinsics<T>(value: T, pseudo: Pseudo): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const o = node as Record<string, unknown>;
    if (typeof o.Ref === 'string') {
      const pseudoRefs: Record<string, string> = {
        'AWS::Partition': pseudo.partition, 'AWS::Region': pseudo.region, 'AWS::AccountId': pseudo.account, 'AWS::URLSuffix': 'amazonaws.com',
      };
      return pseudoRefs[o.Ref] ?? pseudo.physical?.[o.Ref] ?? `<${o.Ref}>`;
    }
    if (Array.isArray(o['Fn::GetAtt'])) {
      const [id, attribute] = o['Fn::GetAtt'] as [string, string];
      return pseudo.physical?.[`${id}.${attribute}`] ?? `<${id}.${attribute}>`;
    }
    if (Array.isArray(o['Fn::Join'])) {
      const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
      return (walk(items) as unknown[]).map(String).join(delimiter);
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v)]));
  };
  return walk(value) as T;
}
