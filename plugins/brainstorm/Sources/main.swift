// Placeholder until the brainstorm plugin lands.
