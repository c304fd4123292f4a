/** What an error says, for a message to a person; anything thrown that is not an Error is shown as it is. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));
