//! Storage for lawdesk: one SQL layer over SQLite and PostgreSQL, migrations, the audit log, and the blob store.
