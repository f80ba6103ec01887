"""Dunning letters: reminder and Mahnungen with § 288 BGB fees and interest, a run that
proposes the letters due, PDFs, sending through the outbox, stop flags."""
