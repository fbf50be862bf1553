"""Knowledge base: SQLAlchemy models, loaders of the versioned source files, query functions."""
