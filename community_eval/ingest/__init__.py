"""Loading files: bytes to typed, checked rows, as offices and survey platforms write them."""
