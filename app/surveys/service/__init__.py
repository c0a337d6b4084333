"""The surveys service: building, responding and results, for the API and the pages."""
