"""Chat adapters: each only translates between its platform and the neutral turn/replies."""
