"""The compression pipeline: content-type detection and one compressor per kind."""

from agent_baton.compress.pipeline import CompressionResult, compress

__all__ = ["CompressionResult", "compress"]
