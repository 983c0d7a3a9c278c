/** Longest piece of client input a reason may quote. */
const MAX_ECHO = 100;

/** Quotes at most ~100 characters of client-controlled text for use in an error reason. */
export function quoteInput(text: string): string {
  const cut = text.length > MAX_ECHO ? text.slice(0, MAX_ECHO) + "…" : text;
  return JSON.stringify(cut);
}
