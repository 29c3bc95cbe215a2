/**
 * Whether a parsed JSON value nests deeper than `limit` objects/arrays. Iterative, so a
 * hostile body cannot exhaust the stack of the code that checks it. Bodies are already size
 * limited; depth is limited separately because deep nesting is cheap in bytes and expensive
 * to process (every later JSON.stringify and validation walks it recursively).
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: current, depth } = stack.pop()!;
    if (current === null || typeof current !== "object") continue;
    if (depth + 1 > limit) return true;
    for (const child of Array.isArray(current) ? current : Object.values(current)) stack.push({ value: child, depth: depth + 1 });
  }
  return false;
}
