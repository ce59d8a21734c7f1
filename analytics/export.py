"""CSV export of links (GET /api/export.csv). Placeholder until the export is written."""
