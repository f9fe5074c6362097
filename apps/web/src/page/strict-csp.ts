import { z } from 'zod/mini';

// The server's Content-Security-Policy has no 'unsafe-eval'. zod 4 compiles object parsers with
// `new Function` on first use; the failure is caught, but the browser still reports a violation.
// Without JIT zod never probes, and a page's few small documents parse just as fast.
z.config({ jitless: true });
