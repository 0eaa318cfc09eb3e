/** The analysis thread's first message: its code is loaded and it takes changes from now on. */
export const THREAD_READY = "route-governor:analysis-thread-ready";
