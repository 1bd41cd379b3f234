"""The contract and the words: what every other layer builds on. Imports nothing of the app."""
