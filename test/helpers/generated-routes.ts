import { checkoutRoute } from "../github/fixtures.js";

/** One file of `count` generated checkout routes: what a PR adding machine-written config looks like, and heavy to analyse. */
export const generatedRoutes = (count: number): string =>
  Array.from({ length: count }, (_, i) => checkoutRoute(50, 50).replace("name: checkout\n", `name: generated-${i}\n`)).join("---\n");
