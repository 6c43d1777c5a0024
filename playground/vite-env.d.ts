/**
 * Ambient types for the playground's build: Vite's client types (`?worker`
 * imports, `import.meta.env`, CSS imports).
 */
/// <reference types="vite/client" />
