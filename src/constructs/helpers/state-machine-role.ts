import { ArnFormat, Names, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { keyWithConditionedLogDelivery } from './pipeline-key';

/**
 * Name, role and customer-key encryption for a state machine under `scope`
 * whose KMS conditions can match:
 * - a deterministic name, because aws-cdk-lib conditions the role's key use on
 *   `kms:EncryptionContext:aws:states:stateMachineArn` built from the physical
 *   name; without one the ARN ends in `stateMachine:` and never matches;
 * - a `StateMachineRole` (below) for the log-delivery key use;
 * - the key seen through `keyWithConditionedLogDelivery`, so the key policy
 *   statement aws-cdk-lib adds for `delivery.logs.amazonaws.com` is conditioned.
 */
export function encryptedStateMachineSettings(scope: Construct, key: kms.IKey): {
  stateMachineName: string; role: iam.IRole; encryptionConfiguration: sfn.EncryptionConfiguration;
} {
  return {
    stateMachineName: Names.uniqueResourceName(scope, { maxLength: 80, separator: '-' }),
    role: new StateMachineRole(scope, 'StateMachineRole'),
    encryptionConfiguration: new sfn.CustomerManagedEncryptionConfiguration(keyWithConditionedLogDelivery(key)),
  };
}

/**
 * The execution role of a customer-key state machine that logs to an encrypted
 * log group. aws-cdk-lib grants it kms:GenerateDataKey with `StringEquals` on the
 * literal `arn:...:logs:<region>:<account>:*`, which no encryption context equals;
 * this role turns that condition into the `ArnLike` match it was meant to be.
 */
export class StateMachineRole extends iam.Role {
  constructor(scope: Construct, id: string) {
    const stack = Stack.of(scope);
    super(scope, id, {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com', {
        conditions: {
          ArnLike: {
            'aws:SourceArn': stack.formatArn({ service: 'states', resource: 'stateMachine', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          },
          StringEquals: { 'aws:SourceAccount': stack.account },
        },
      }),
    });
  }

  public addToPrincipalPolicy(statement: iam.PolicyStatement): iam.AddToPrincipalPolicyResult {
    const literal = statement.conditions?.StringEquals?.['kms:EncryptionContext:SourceArn'];
    if (literal === undefined) return super.addToPrincipalPolicy(statement);
    const { StringEquals: { ['kms:EncryptionContext:SourceArn']: _, ...otherEquals }, ...otherConditions } = statement.conditions;
    return super.addToPrincipalPolicy(new iam.PolicyStatement({
      effect: statement.effect,
      actions: statement.actions,
      resources: statement.resources,
      conditions: {
        ...otherConditions,
        ...(Object.keys(otherEquals).length > 0 ? { StringEquals: otherEquals } : {}),
        ArnLike: { ...otherConditions.ArnLike, 'kms:EncryptionContext:SourceArn': literal },
      },
    }));
  }
}
