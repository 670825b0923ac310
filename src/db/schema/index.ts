export * from "./users";
export * from "./organizers";
export * from "./venues";
export * from "./events";
export * from "./orders";
export * from "./tickets";
export * from "./payments";
