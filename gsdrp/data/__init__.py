"""Raw GDSC files -> prepared, cached, split dataset."""
