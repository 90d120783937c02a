"""Static analysis of a kustomization tree: which resource ids are brought in twice, and through which includes.

Pure apart from reading files and, in realbuild, running the real kustomize; imports neither textual nor
kubernetes.
"""

from kftui.kustomize.analyzer import analyze, chains_by_id
from kftui.kustomize.command import EXIT_CLEAN, EXIT_CONFLICTS, EXIT_UNUSABLE_PATH, conflicts_command
from kftui.kustomize.loader import is_remote
from kftui.kustomize.realbuild import (
    KustomizeNotFound,
    compare,
    find_kustomize,
    parse_duplicate_id,
    real_build,
    with_real_build,
)
from kftui.kustomize.remotes import RemoteMap, parse_mapping
from kftui.kustomize.render import render_json, render_text, report_dict
from kftui.kustomize.report import (
    Agreement,
    ConflictReport,
    ConflictsError,
    Duplicate,
    IncludeChain,
    Problem,
    RealBuildResult,
    RootCause,
    Skipped,
)
from kftui.kustomize.resid import (
    CLUSTER_SCOPED_KINDS,
    ResId,
    is_cluster_scoped,
    parse_resource_id,
    resid_from_string,
    resource_id_string,
)

__all__ = [
    "CLUSTER_SCOPED_KINDS",
    "EXIT_CLEAN",
    "EXIT_CONFLICTS",
    "EXIT_UNUSABLE_PATH",
    "Agreement",
    "ConflictReport",
    "ConflictsError",
    "Duplicate",
    "IncludeChain",
    "KustomizeNotFound",
    "Problem",
    "RealBuildResult",
    "RemoteMap",
    "ResId",
    "RootCause",
    "Skipped",
    "analyze",
    "chains_by_id",
    "compare",
    "conflicts_command",
    "find_kustomize",
    "is_cluster_scoped",
    "is_remote",
    "parse_duplicate_id",
    "parse_mapping",
    "parse_resource_id",
    "real_build",
    "render_json",
    "render_text",
    "report_dict",
    "resid_from_string",
    "resource_id_string",
    "with_real_build",
]
