-- Which worker process counted a note's words.
ALTER TABLE notes ADD COLUMN processed_by INTEGER;
