"""Operations: remote state, adopting existing tables."""
