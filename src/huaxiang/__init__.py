"""huaxiang (画像): an open-source customer-profiling platform (customer data platform).

The public Python API is small on purpose::

    import huaxiang
    ws = huaxiang.init_workspace("shop")          # or huaxiang.open_workspace("shop")
    ws.apply()                                    # definitions -> catalog
    ws.ingest.load("crm_contacts", "export.csv")  # one atomic load
    ws.quality.source_report("crm_contacts")
"""

from huaxiang.workspace import Workspace, WorkspaceError, init_workspace, open_workspace

__all__ = ["Workspace", "WorkspaceError", "init_workspace", "open_workspace", "__version__"]
__version__ = "0.1.0"
