import './styles.css';
// First, before any schema is used.
import './strict-csp.ts';
import type { ChatRequest, StreamEvent } from '@gpt-stream/protocol';
import { createAnswerRenderer, isRenderMode } from './markdown/answer-renderer.ts';
import { installCopyActions } from './markdown/copy-actions.ts';
import { markdownFactory } from './markdown/load-markdown.ts';
import { createStreamMetrics, formatMetrics } from './metrics.ts';
import { fillModelSelect, loadModels } from './models.ts';
import { getPageElements } from './page.ts';
import { loadRenderMode, saveRenderMode } from './render-mode.ts';
import { createSavedStream } from './saved-stream.ts';
import { errorMessage, statusLabel } from './status.ts';
import { createStreamClient, type StateDetail, type StreamOutcome } from './stream-client.ts';
import { isActive, type StreamState } from './stream-state.ts';

const page = getPageElements();
const metrics = createStreamMetrics();
const renderer = createAnswerRenderer(page.output, {
  mode: loadRenderMode(() => localStorage),
  markdown: markdownFactory(),
  onRender: showMetrics,
});
const saved = createSavedStream(() => sessionStorage);
const client = createStreamClient({ onState: showState, onEvent });

function showState(state: StreamState, { retry, outcome }: StateDetail): void {
  // The whole text must be on screen before the status claims the stream has ended.
  if (outcome) finish(outcome);
  page.status.dataset.state = state;
  page.status.textContent = statusLabel(state, { retry });
  const busy = isActive(state);
  page.send.disabled = busy;
  page.stop.disabled = !busy;
  // Screen readers announce the live region once the answer is whole, not fragment by fragment.
  page.output.setAttribute('aria-busy', String(busy));
}

function finish(outcome: StreamOutcome): void {
  renderer.flush();
  if (outcome.type === 'completed') metrics.finish(outcome.done.usage.completionTokens);
  // A request that failed before any text has nothing to measure; dashes would only add noise.
  if (outcome.type !== 'completed' && metrics.snapshot().tokens === 0) clearMetrics();
  else showMetrics();
  showError(errorMessage(outcome));
  // A stream that failed on this side may still be running on the server: a reload resumes it.
  if (outcome.type !== 'failed') saved.clear();
}

function showError(message: string | null): void {
  page.error.textContent = message ?? '';
  page.error.hidden = message === null;
}

function clearMetrics(): void {
  page.metrics.textContent = '';
  for (const key of ['ttftMs', 'tokens', 'tokensPerSecond']) delete page.metrics.dataset[key];
}

function showMetrics(): void {
  const snapshot = metrics.snapshot();
  page.metrics.textContent = formatMetrics(snapshot);
  // Machine-readable copies, for tests and for anyone who wants to chart them.
  page.metrics.dataset.ttftMs = String(snapshot.timeToFirstTokenMs ?? '');
  page.metrics.dataset.tokens = String(snapshot.tokens);
  page.metrics.dataset.tokensPerSecond = String(snapshot.tokensPerSecond ?? '');
}

function onEvent(event: StreamEvent): void {
  if (event.type === 'start') saved.save({ streamId: event.data.streamId, lastEventId: null });
  if (event.type === 'delta' && event.data.text !== '') {
    metrics.recordToken();
    renderer.push(event.data.text);
  }
}

/** A fresh answer area and clock for the stream about to start. */
function reset(): void {
  renderer.clear();
  showError(null);
  clearMetrics();
  metrics.start();
}

function readRequest(): ChatRequest {
  const request: ChatRequest = { prompt: page.prompt.value };
  if (page.model.value) request.model = page.model.value;
  return request;
}

function send(): void {
  if (isActive(client.state)) return;
  reset();
  void client.send(readRequest());
}

/**
 * After a reload mid-stream, the stream is replayed from its first event: the text on screen went
 * with the old page, and a full replay is the one way to show it again exactly, with nothing
 * missing and nothing twice.
 */
function resumeSaved(): void {
  const position = saved.load();
  if (!position) return;
  reset();
  void client.resume(position.streamId);
}

page.form.addEventListener('submit', (event) => {
  event.preventDefault();
  send();
});

page.stop.addEventListener('click', () => client.stop());

page.renderMode.value = renderer.mode;
page.renderMode.addEventListener('change', () => {
  const mode = page.renderMode.value;
  if (!isRenderMode(mode)) return;
  renderer.setMode(mode);
  saveRenderMode(() => localStorage, mode);
});

// Code blocks' buttons copy their code; "Copy answer" copies the answer's Markdown as it arrived.
installCopyActions(document.body, (button) =>
  button === page.copyAnswer ? renderer.source : null,
);

page.prompt.addEventListener('keydown', (event) => {
  // isComposing: Enter also confirms an IME candidate (Chinese, Japanese...), which must not send.
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  page.form.requestSubmit();
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && isActive(client.state)) {
    event.preventDefault();
    client.stop();
  }
});

// The last event id, for whoever resumes this tab's stream, without a storage write per event.
addEventListener('pagehide', () => {
  const position = client.position;
  if (position && isActive(client.state)) saved.save(position);
});

showState('idle', { retry: 0 });
showError(null);
// The prompt is what this page is for; start there (an autofocus attribute is linted as an a11y risk).
page.prompt.focus();
resumeSaved();

// index.html ships a lone `mock` option, so the page works even when this fails; nothing to show.
loadModels()
  .then((list) => fillModelSelect(page.model, list))
  .catch((error: unknown) => console.warn('Keeping the default model list:', error));
