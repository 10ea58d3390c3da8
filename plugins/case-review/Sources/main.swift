// Placeholder until the case-review plugin lands.
