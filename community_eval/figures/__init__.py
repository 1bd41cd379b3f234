"""Figure builders and downloads: one look for every chart, page and report alike."""
