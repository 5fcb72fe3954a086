"""Valid rows of the generated resources, created through the API, for tests."""
