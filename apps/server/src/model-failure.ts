import { ERROR_CODES, type StreamEventData } from '@gpt-stream/protocol';

export type StreamError = StreamEventData<'error'>;

/** What a reader learns when a model fails without saying why; the details go to the log. */
export const MODEL_FAILED: StreamError = {
  code: ERROR_CODES.modelFailed,
  message: 'The model failed while writing its answer.',
  retryable: true,
};

/** A model's own account of its failure (a `ModelError`): meant for the reader, sent as it is. */
interface ModelErrorLike extends Error {
  code: string;
  retryable: boolean;
}

function isModelError(error: unknown): error is ModelErrorLike {
  return (
    error instanceof Error &&
    error.name === 'ModelError' &&
    typeof (error as ModelErrorLike).code === 'string' &&
    typeof (error as ModelErrorLike).retryable === 'boolean'
  );
}

/** The one place that turns a model's failure into the stream's terminal `error` event. */
export function terminalErrorFor(error: unknown): StreamError {
  if (!isModelError(error)) return MODEL_FAILED;
  return { code: error.code, message: error.message, retryable: error.retryable };
}
