import './styles.css';
// First, before any schema is used.
import './strict-csp.ts';
import {
  type ChatRequest,
  type ParseResult,
  parseChatRequest,
  type StreamEvent,
} from '@gpt-stream/protocol';
import { followBottom } from './auto-scroll.ts';
import { createStreamMetrics, formatMetrics } from './metrics.ts';
import { fillModelSelect, loadModels } from './models.ts';
import { getPageElements } from './page.ts';
import { createRenderer } from './renderer.ts';
import { describeOutcome, isActive, type PageState, STATUS_LABELS } from './status.ts';
import { streamChat } from './stream-client.ts';

const page = getPageElements();
const metrics = createStreamMetrics();
const renderer = createRenderer(followBottom(page.output), { onRender: showMetrics });
let current: AbortController | null = null;

function setState(state: PageState): void {
  page.status.dataset.state = state;
  page.status.textContent = STATUS_LABELS[state];
  const busy = isActive(state);
  page.send.disabled = busy;
  page.stop.disabled = !busy;
  // Screen readers announce the live region once the answer is whole, not fragment by fragment.
  page.output.setAttribute('aria-busy', String(busy));
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

function readRequest(): ParseResult<ChatRequest> {
  const body: ChatRequest = { prompt: page.prompt.value };
  if (page.model.value) body.model = page.model.value;
  // The protocol's own validation: the same message the server would send, without the round trip.
  return parseChatRequest(body);
}

function onEvent(event: StreamEvent): void {
  if (event.type === 'start') setState('streaming');
  if (event.type === 'delta' && event.data.text !== '') {
    metrics.recordToken();
    renderer.push(event.data.text);
  }
}

async function send(): Promise<void> {
  if (current) return;
  renderer.clear();
  showError(null);
  clearMetrics();

  const request = readRequest();
  if (!request.ok) {
    showError(request.message);
    setState('error');
    return;
  }

  const controller = new AbortController();
  current = controller;
  metrics.start();
  showMetrics();
  setState('connecting');
  const outcome = await streamChat({ request: request.value, signal: controller.signal, onEvent });
  current = null;

  // The whole text must be on screen before the status claims the stream has ended.
  renderer.flush();
  if (outcome.type === 'completed') metrics.finish(outcome.done.usage.completionTokens);
  // A request that failed before any text has nothing to measure; dashes would only add noise.
  if (outcome.type !== 'completed' && metrics.snapshot().tokens === 0) clearMetrics();
  else showMetrics();
  const view = describeOutcome(outcome);
  showError(view.error);
  setState(view.state);
}

function stop(): void {
  current?.abort();
}

page.form.addEventListener('submit', (event) => {
  event.preventDefault();
  void send();
});

page.stop.addEventListener('click', stop);

page.prompt.addEventListener('keydown', (event) => {
  // isComposing: Enter also confirms an IME candidate (Chinese, Japanese...), which must not send.
  if (event.key !== 'Enter' || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  page.form.requestSubmit();
});

document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape' && current) {
    event.preventDefault();
    stop();
  }
});

setState('idle');
showError(null);
// The prompt is what this page is for; start there (an autofocus attribute is linted as an a11y risk).
page.prompt.focus();

// index.html ships a lone `mock` option, so the page works even when this fails; nothing to show.
loadModels()
  .then((list) => fillModelSelect(page.model, list))
  .catch((error: unknown) => console.warn('Keeping the default model list:', error));
