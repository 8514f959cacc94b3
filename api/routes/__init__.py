"""One thin router per resource: parse, make one archive call, shape the answer."""
