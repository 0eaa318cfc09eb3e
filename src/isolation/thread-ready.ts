/** The analysis thread's first message: its code is loaded and it takes changes from now on. */
export const THREAD_READY = "route-governor:analysis-thread-ready";

/** The thread's word that a change's renders are done: its analysis's time limit counts from here. */
export const THREAD_RENDERED = "route-governor:analysis-thread-rendered";
