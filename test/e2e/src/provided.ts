// What the vitest globalSetup (tools/kafka's) hands every test file.
declare module "vitest" {
  export interface ProvidedContext {
    /** Comma-separated bootstrap servers of the test run's Kafka. */
    kafkaBrokers: string;
  }
}
export {};
