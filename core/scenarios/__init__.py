"""What goes in: scenario models and their rules (model), JSON/file/upload input (io), the wide CSV
(wide_csv), the editor's tables (tables), the presets and the seeded synthetic generator."""
