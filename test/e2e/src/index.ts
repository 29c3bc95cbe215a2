export * from "./test-stack";
export * from "./wait";
export * from "./outcomes";
export * from "./deliveries-received";
export * from "./throwaway-postgres";
export * from "./throwaway-redis";
export * from "./throwaway-pgbouncer";
