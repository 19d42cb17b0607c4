"""CX signals per store: satisfaction, word of mouth, spikes, crisis, calls, coaching."""
