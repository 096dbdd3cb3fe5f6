// What the extension client and the language server share: the custom protocol, the settings object, the server's
// process flags. Front ends import this facade, never the modules behind it (eslint.config.mjs).
export * from './protocol';
export * from './serverProcess';
export * from './settings';
export * from './settingsTrust';
export { forEachWorkspaceFile, type ScanReport } from './workspaceFiles';
