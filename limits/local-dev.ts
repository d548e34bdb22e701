/**
 * Default ports of the local dev server (`npm run dev`), shared by the server and the dead-letter CLI's `--local`
 * so the two cannot drift apart. Ops is REST + 2: REST + 1 is gRPC.
 */
export const LOCAL_DEV_PORTS = {
  /** Cloud Tasks REST API. */
  rest: 8123,
  /** Cloud Tasks gRPC. */
  grpc: 8124,
  /** Ops face: local Pub/Sub (dead letters), metadata token, `/stats`. */
  ops: 8125,
  /** First handler. */
  handler: 8081,
} as const;
