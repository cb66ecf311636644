"""The roster survey (摸底调查): Excel template, import with row-level validation, export, data quality."""
