import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import { ReviewAction } from '../../shared/reviews';

const text = (maxLength: number): apigateway.JsonSchema => ({ type: apigateway.JsonSchemaType.STRING, minLength: 1, maxLength });

/**
 * JSON Schema of a decision body, checked by API Gateway before the function
 * runs (the function checks the rest: amendments against the stored findings).
 * Other fields are allowed and ignored, so a `reviewer` in the body is refused
 * by nothing and used by nothing.
 */
export function decisionRequestSchema(): apigateway.JsonSchema {
  return {
    schema: apigateway.JsonSchemaVersion.DRAFT4,
    title: 'DecisionRequest',
    type: apigateway.JsonSchemaType.OBJECT,
    required: ['version', 'decision'],
    properties: {
      version: { type: apigateway.JsonSchemaType.INTEGER, minimum: 1 },
      decision: { type: apigateway.JsonSchemaType.STRING, enum: Object.values(ReviewAction) },
      reason: text(500),
      amendments: {
        type: apigateway.JsonSchemaType.ARRAY,
        maxItems: 100,
        items: {
          type: apigateway.JsonSchemaType.OBJECT,
          required: ['type', 'reason'],
          properties: {
            type: { type: apigateway.JsonSchemaType.STRING, enum: ['REMOVE', 'RELABEL', 'ADD'] },
            findingIndex: { type: apigateway.JsonSchemaType.INTEGER, minimum: 0 },
            label: text(256),
            code: text(64),
            codeSystem: text(256),
            imageRef: text(160),
            reason: text(500),
          },
        },
      },
    },
  };
}
