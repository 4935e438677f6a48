"""Version history of chapters: every past state readable and restorable (docs/history.md)."""
