import type { BuildOptions } from "esbuild";

export declare const shared: BuildOptions;
export declare const lean: BuildOptions;
export declare const ANALYSIS_THREAD_ENTRY: string;
export declare const commonJs: BuildOptions;
export declare function oneByteText(code: string): string;
