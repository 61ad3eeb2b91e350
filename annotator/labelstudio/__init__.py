"""The Label Studio round trip: labeling config, tasks with predictions, push and pull."""
