/** Checks of the workflow state a step receives (it crosses a service boundary). */
import { STUDY_SUPERSEDED_ERROR, WorkflowInput } from '../../shared/workflow';

export class InvalidStepInputError extends Error {
  constructor(problem: string) {
    super(`Invalid step input: ${problem}`);
    this.name = 'InvalidStepInputError';
  }
}

/** Thrown when the study is not in the state this step expects (e.g. a newer version exists). */
export class StudyStateError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'StudyStateError';
  }
}

export function assertWorkflowInput(input: Partial<WorkflowInput> | undefined): asserts input is WorkflowInput {
  if (typeof input?.studyKey !== 'string' || input.studyKey === '') {
    throw new InvalidStepInputError('studyKey is required');
  }
  if (typeof input.version !== 'number' || !Number.isInteger(input.version) || input.version < 1) {
    throw new InvalidStepInputError('version must be a positive integer');
  }
}

/** A newer version of the study opened while this one was being analysed: the newer run takes over. */
export class StudySupersededError extends Error {
  constructor() {
    super('A newer version of the study exists');
    this.name = STUDY_SUPERSEDED_ERROR;
  }
}
