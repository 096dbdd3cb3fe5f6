/**
 * Node flags for the language server process, shared by the extension (which launches it) and the benchmark (which
 * measures it the same way). A smaller young generation keeps the resident size near the live data: edits allocate
 * many short-lived objects, and the default semi-space lets them pile up to tens of megabytes between scavenges.
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=4'];
