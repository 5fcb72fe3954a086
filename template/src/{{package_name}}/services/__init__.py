"""Business logic. No FastAPI, no HTTP: services raise domain errors and never commit."""
