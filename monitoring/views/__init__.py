"""Patient pages of monitoring, under /me/: symptom check-ins and lab results."""
