import path from "node:path";

/**
 * A compiled harness file by its path under dist/, whether this code runs compiled or from src/
 * under vitest: child processes always run the compiled JavaScript.
 */
export const distFile = (relative: string): string => path.join(path.dirname(__dirname), "dist", relative);
