#!/usr/bin/env node
// Prints "name partitions compacted" per topic: the local broker creates exactly these.
import { allTopics } from "./topics";

for (const topic of allTopics) {
  process.stdout.write(`${topic.name} ${topic.partitions} ${topic.compacted ? "compacted" : "delete"}\n`);
}
