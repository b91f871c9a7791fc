/** The oEmbed endpoint (src/embed/oembed.ts), which appeal pages announce and the errors treat as an API. */
export const OEMBED_PATH = '/oembed'
