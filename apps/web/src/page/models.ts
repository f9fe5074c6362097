import { API_PATHS, type ModelList, ModelListSchema } from '@gpt-stream/protocol';

/** Fetches the models on offer; rejects when the server cannot say, so the caller keeps its default. */
export async function loadModels(fetchModels: typeof fetch = fetch): Promise<ModelList> {
  const response = await fetchModels(API_PATHS.models, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`GET ${API_PATHS.models} answered ${response.status}`);
  const list = ModelListSchema.safeParse(await response.json());
  if (!list.success) throw new Error(`GET ${API_PATHS.models} sent an unexpected shape`);
  return list.data;
}

/** One option per model, the server's default selected. */
export function fillModelSelect(select: HTMLSelectElement, list: ModelList): void {
  if (list.models.length === 0) return;
  const options = list.models.map((model) => {
    const selected = model.id === list.defaultModel;
    // new Option sets the label as text: a model id can never inject markup.
    const option = new Option(model.id, model.id, selected, selected);
    option.title = model.description;
    return option;
  });
  select.replaceChildren(...options);
}
