export * from "./users";
export * from "./organizers";
export * from "./venues";
export * from "./events";
