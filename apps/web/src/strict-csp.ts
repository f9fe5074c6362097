import { z } from 'zod';

// The server's Content-Security-Policy has no 'unsafe-eval'. On first use zod 4 probes for eval
// with `new Function`; the probe's failure is caught, but the browser still reports a violation.
// Without JIT zod never probes, and a page's few small documents parse just as fast.
z.config({ jitless: true });
