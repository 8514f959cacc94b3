"""The domain: aggregates, their events, the quality vocabulary and EDTF dates. No I/O."""
