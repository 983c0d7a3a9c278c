// A tiny server for process_test.ts: listens on the port given as first argument, prints a
// line when ready, exits on SIGTERM (or ignores it when the second argument is "stubborn").
const port = Number(Deno.args[0]);
const stubborn = Deno.args[1] === "stubborn";
const server = Deno.serve(
  { hostname: "127.0.0.1", port, onListen: () => {} },
  () => new Response("ok"),
);
console.log(`test server listening on ${port}`);
Deno.addSignalListener("SIGTERM", () => {
  if (stubborn) return;
  server.shutdown().then(() => Deno.exit(0));
});
