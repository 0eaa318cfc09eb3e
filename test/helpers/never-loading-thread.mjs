// A thread that never says it has loaded and never answers: stuck, as a broken deployment could be.
setInterval(() => {}, 1_000);
