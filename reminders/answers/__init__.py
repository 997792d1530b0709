"""Answers to a reminder where it arrives: one-tap links and text replies."""
