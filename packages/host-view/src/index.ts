export * from "./host-standings";
export * from "./host-view";
