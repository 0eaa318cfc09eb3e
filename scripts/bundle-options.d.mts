import type { BuildOptions } from "esbuild";

export declare const shared: BuildOptions;
export declare const lean: BuildOptions;
export declare const ANALYSIS_THREAD_ENTRY: string;
