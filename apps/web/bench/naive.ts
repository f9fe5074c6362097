/**
 * The benchmark's baseline: the page's own stream client, rendering the way the seed article
 * does, `innerText += chunk` for every token. Never do this in a page: it re-serialises the whole
 * output each time, which is quadratic.
 */
import { createStreamClient } from '../src/stream/stream-client.ts';

const output = document.getElementById('gpt-output') as HTMLElement;
const status = document.getElementById('status') as HTMLElement;

const client = createStreamClient({
  onState(state) {
    status.dataset.state = state;
  },
  onEvent(event) {
    // biome-ignore lint/performance/useDomNodeTextContent: the slow way is what is measured.
    if (event.type === 'delta') output.innerText += event.data.text;
  },
});

Object.assign(window, {
  naiveSend: (prompt: string) => client.send({ prompt, model: 'echo' }),
});
