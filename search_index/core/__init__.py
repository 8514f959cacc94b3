"""What every search backend shares: the query budget and language, the documents an item
gives, the hit and facet shape, the browse cache and the Dutch analysis's word lists."""
