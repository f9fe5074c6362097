/**
 * Ids an upstream model may not take: configuration refuses them by name. A leaf of its own, so
 * that configuration can check names without loading the models.
 */
export const BUILT_IN_MODEL_IDS = ['mock', 'mock-reasoning', 'echo'] as const;
