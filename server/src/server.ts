// Entry point of the language server bundle (dist/server.js). Thin: all logic lives in lsp/ and engine/.
import { startLanguageServer } from './lsp/startServer';

startLanguageServer();
