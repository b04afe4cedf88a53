"""The forum with questions and answers (issue 3)."""
