/*
 * Where OpenAI-compatible servers put a model's thinking in a streamed chunk's `delta`. OpenAI's
 * own chat completions stream none (only its usage counts the reasoning tokens); the others
 * each pick a field:
 *
 * - `reasoning_content`: DeepSeek's API, llama.cpp's server (`--reasoning-format deepseek`),
 *   vLLM before 0.10, LM Studio when it separates reasoning.
 * - `reasoning`: vLLM (`--reasoning-parser`), Ollama, LM Studio, OpenRouter, gpt-oss servers.
 * - `reasoning_details[]`: OpenRouter, typed pieces that repeat `reasoning` (or, encrypted,
 *   carry nothing readable). Read only when neither string field has text, so never twice.
 *
 * A server that mirrors one field into another (vLLM has sent both string fields) has its text
 * taken once: the first field with text, in the order above, wins.
 */

/** The thinking in one chunk's `delta`; '' when it has none. */
export function reasoningOf(delta: unknown): string {
  if (typeof delta !== 'object' || delta === null) return '';
  const fields = delta as {
    reasoning_content?: unknown;
    reasoning?: unknown;
    reasoning_details?: unknown;
  };
  if (typeof fields.reasoning_content === 'string' && fields.reasoning_content !== '') {
    return fields.reasoning_content;
  }
  if (typeof fields.reasoning === 'string' && fields.reasoning !== '') return fields.reasoning;
  return Array.isArray(fields.reasoning_details) ? textOfDetails(fields.reasoning_details) : '';
}

/** OpenRouter's `reasoning.text` and `reasoning.summary` pieces; `reasoning.encrypted` is opaque. */
function textOfDetails(details: readonly unknown[]): string {
  let text = '';
  for (const detail of details) {
    if (typeof detail !== 'object' || detail === null) continue;
    const {
      type,
      text: piece,
      summary,
    } = detail as {
      type?: unknown;
      text?: unknown;
      summary?: unknown;
    };
    if (type === 'reasoning.text' && typeof piece === 'string') text += piece;
    else if (type === 'reasoning.summary' && typeof summary === 'string') text += summary;
  }
  return text;
}
