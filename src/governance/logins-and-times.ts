/** GitHub logins are one person whatever their case; GitHub's times are ISO strings, compared as instants. */

export const sameLogin = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** Whether time `a` is strictly after time `b`. */
export const later = (a: string, b: string): boolean => Date.parse(a) > Date.parse(b);
