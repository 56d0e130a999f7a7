"""The catalog: sample data read and checked, seeded into a database, the demo, generated load."""
