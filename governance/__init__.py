"""governance: statutory meetings for international associations of cities."""

__version__ = "0.1.0"
