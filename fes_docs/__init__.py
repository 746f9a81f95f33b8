"""fes-docs: release records checked against the FES migration and rollback guide."""

__version__ = "0.1.0"
