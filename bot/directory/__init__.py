"""Directory of services: data·inclusion structures and services stored in the catalogue, and "qui voir"."""
