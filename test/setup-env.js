// n8n-core keeps instance settings in a user folder: give every test run its own, never ~/.n8n.
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const path = require('node:path');

process.env.N8N_USER_FOLDER ??= mkdtempSync(path.join(tmpdir(), 'audience-sync-n8n-'));
process.env.N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS ??= 'false';
process.env.N8N_DIAGNOSTICS_ENABLED ??= 'false';
