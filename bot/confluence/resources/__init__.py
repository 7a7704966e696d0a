"""Resource groups of the Confluence client."""
