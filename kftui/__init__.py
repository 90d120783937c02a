"""kftui: a terminal UI that diagnoses and fixes Kubeflow installs managed by Argo CD."""

__version__ = "0.1.0"
