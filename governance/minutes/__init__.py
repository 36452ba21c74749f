"""Minutes: drafted from the record, edited, approved, signed, published."""
