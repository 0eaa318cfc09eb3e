// The App's analysis thread (its file URL in SLOW_LOADING_THREAD_TARGET), loaded a second late as
// a cold start on a busy machine is: no change's time limit may be spent before it is loaded.
const until = Date.now() + 1_000;
while (Date.now() < until);
await import(process.env.SLOW_LOADING_THREAD_TARGET);
