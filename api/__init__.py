"""HTTP: the JSON API and the web pages."""
