"""A tiny, valid WebM video made without any encoder: VP8 key frames in a Matroska (WebM) container.

Every frame is a VP8 key frame whose two partitions are all zero bytes. VP8's boolean decoder reads a zero
stream as a run of 0 bits whatever the probabilities, and 0 is a meaningful value for every syntax element
read here (RFC 6386): no segmentation, no loop filter, one token partition, quantiser index 0, no
probability updates, coefficient skipping off; each macroblock is then B_PRED with every subblock in
B_DC_PRED, chroma in DC_PRED, and each block's first token is "end of block" (no residual). The decoder
predicts a flat grey picture from the frame edges. The container gives the duration, so players know
it at once.
"""

from __future__ import annotations

import struct

FRAME_START_CODE = b"\x9d\x01\x2a"
#: zero bytes per partition: far more than the decoder reads for a small frame
PARTITION_BYTES = 256


def vp8_key_frame(width: int, height: int) -> bytes:
    """One VP8 key frame of ``width`` x ``height`` pixels (at most 16383 each)."""
    first_partition = bytes(PARTITION_BYTES)
    tokens = bytes(PARTITION_BYTES)
    # Frame tag (little-endian, 24 bits): key frame (0), version 0, shown, size of the first partition.
    tag = (0 << 0) | (0 << 1) | (1 << 4) | (len(first_partition) << 5)
    header = tag.to_bytes(3, "little") + FRAME_START_CODE + struct.pack("<HH", width, height)
    return header + first_partition + tokens


def _size(length: int) -> bytes:
    """An EBML element size (variable-length integer, shortest form)."""
    for octets in range(1, 9):
        if length < (1 << (7 * octets)) - 1:
            return ((1 << (7 * octets)) | length).to_bytes(octets, "big")
    raise ValueError("element too large")


def _element(element_id: int, payload: bytes) -> bytes:
    return element_id.to_bytes((element_id.bit_length() + 7) // 8, "big") + _size(len(payload)) + payload


def _uint(element_id: int, value: int) -> bytes:
    return _element(element_id, value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big"))


def _text(element_id: int, value: str) -> bytes:
    return _element(element_id, value.encode("ascii"))


def webm(seconds: float = 3.0, fps: int = 10, width: int = 64, height: int = 48) -> bytes:
    """A WebM file of ``seconds`` of grey VP8 video at ``fps`` frames a second."""
    frames = round(seconds * fps)
    frame = vp8_key_frame(width, height)
    header = _element(
        0x1A45DFA3,
        _uint(0x4286, 1)  # EBMLVersion
        + _uint(0x42F7, 1)  # EBMLReadVersion
        + _uint(0x42F2, 4)  # EBMLMaxIDLength
        + _uint(0x42F3, 8)  # EBMLMaxSizeLength
        + _text(0x4282, "webm")  # DocType
        + _uint(0x4287, 2)  # DocTypeVersion
        + _uint(0x4285, 2),  # DocTypeReadVersion
    )
    info = _element(
        0x1549A966,
        _uint(0x2AD7B1, 1_000_000)  # TimecodeScale: milliseconds
        + _element(0x4489, struct.pack(">d", seconds * 1000.0))  # Duration
        + _text(0x4D80, "cybermassif-tests")  # MuxingApp
        + _text(0x5741, "cybermassif-tests"),  # WritingApp
    )
    tracks = _element(
        0x1654AE6B,
        _element(
            0xAE,  # TrackEntry
            _uint(0xD7, 1)  # TrackNumber
            + _uint(0x73C5, 1)  # TrackUID
            + _uint(0x83, 1)  # TrackType: video
            + _uint(0x9C, 0)  # FlagLacing
            + _text(0x86, "V_VP8")  # CodecID
            + _uint(0x23E383, 1_000_000_000 // fps)  # DefaultDuration (ns)
            + _element(0xE0, _uint(0xB0, width) + _uint(0xBA, height)),  # Video: PixelWidth, PixelHeight
        ),
    )
    blocks = b"".join(
        # SimpleBlock: track 1, time relative to the cluster (ms), key frame flag, the frame.
        _element(0xA3, b"\x81" + struct.pack(">h", i * 1000 // fps) + b"\x80" + frame)
        for i in range(frames)
    )
    cluster = _element(0x1F43B675, _uint(0xE7, 0) + blocks)  # Cluster: Timecode 0
    return header + _element(0x18538067, info + tracks + cluster)  # Segment
