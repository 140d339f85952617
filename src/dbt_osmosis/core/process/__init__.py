"""Process concerns: the run lock and garbage-collector tuning."""
