-- CSV cells (RFC 4180) built in the database, so that the export hands the application one finished
-- line per row instead of twenty values to escape one by one.

-- Quotes a value that holds a quote, comma or line break, doubling its quotes.
CREATE FUNCTION solidaria_csv_quote(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN strpos(value, '"') > 0 OR strpos(value, ',') > 0 OR strpos(value, E'\n') > 0 OR strpos(value, E'\r') > 0
    THEN '"' || replace(value, '"', '""') || '"'
  ELSE value
END;
--> statement-breakpoint
-- A text cell made safe for spreadsheets: a value starting with = + - @ tab or CR would run as a
-- formula, so it gets a leading apostrophe (as OWASP recommends). NULL is an empty cell.
CREATE FUNCTION solidaria_csv_cell(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN CASE
  WHEN value IS NULL THEN ''
  WHEN left(value, 1) IN ('=', '+', '-', '@', E'\t', E'\r') THEN solidaria_csv_quote('''' || value)
  ELSE solidaria_csv_quote(value)
END;
