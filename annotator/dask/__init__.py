"""`annotate --engine dask`: the command's options and entry (command.py), the partitions an input is
cut into (partitions.py) and the work on the cluster (cluster.py). Dask and pyarrow are imported only
when this engine runs."""
