"""Reading bank statement files: camt.053 (XML, schema-validated), MT940, CSV exports of German
banks, and ZIP archives of these. Pure functions over bytes: no database, no clock."""
