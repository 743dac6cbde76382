"""Backup and restore: one encrypted file holding the database and the private files under DATA_DIR
(`safepassage backup`, `safepassage restore`; docs/operations.md, "Backup and restore")."""
