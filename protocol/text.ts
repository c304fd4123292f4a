/** What an error says, for a message to a person; anything thrown that is not an Error is shown as it is. */
export const errorMessage = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** A provider's text field as text: a string as it is, nothing as empty, anything else as its JSON. */
export const asText = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : JSON.stringify(value));
