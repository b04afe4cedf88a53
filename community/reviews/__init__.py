"""Product catalogue and reviews with public brand responses."""
