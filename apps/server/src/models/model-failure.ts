import { ERROR_CODES, type StreamEventData } from '@gpt-stream/protocol';
import { ModelError } from './model.ts';

export type StreamError = StreamEventData<'error'>;

/** What a reader learns when a model fails without saying why; the details go to the log. */
export const MODEL_FAILED: StreamError = {
  code: ERROR_CODES.modelFailed,
  message: 'The model failed while writing its answer.',
  retryable: true,
};

/** The one place that turns a model's failure into the stream's terminal `error` event. */
export function terminalErrorFor(error: unknown): StreamError {
  if (!(error instanceof ModelError)) return MODEL_FAILED;
  // A model's own account of its failure is written for the reader, so it goes out as it is.
  return { code: error.code, message: error.message, retryable: error.retryable };
}
