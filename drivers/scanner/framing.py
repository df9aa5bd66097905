"""Cutting a byte stream into scans. A scan ends at any terminator byte (CR, LF by default, so
CR, LF, CRLF and LFCR all work and a CRLF split across reads gives no empty scan), or, for
scanners set to send no suffix, after ``idle_timeout`` seconds of silence. Bytes that sit
without a terminator for ``stale_after`` seconds are line noise and are dropped, so they are
never glued onto the next code."""

from dataclasses import dataclass, field


@dataclass
class LineFramer:
    terminators: bytes = b"\r\n"
    idle_timeout: float | None = None
    stale_after: float = 0.5
    max_length: int = 1024
    buffer: bytearray = field(default_factory=bytearray)
    last_byte_at: float = 0.0
    dropped: list[bytes] = field(default_factory=list)  # noise, for the reader to log

    def feed(self, data: bytes, now: float) -> list[bytes]:
        frames = self.expire(now)
        for byte in data:
            if byte in self.terminators:
                if self.buffer:
                    frames.append(bytes(self.buffer))
                    self.buffer.clear()
            elif len(self.buffer) <= self.max_length:  # one byte over: the parser says too long
                self.buffer.append(byte)
        if data:
            self.last_byte_at = now
        return frames

    def expire(self, now: float) -> list[bytes]:
        """Call when no data came: emits a suffix-less scan, or drops stale noise."""
        if not self.buffer:
            return []
        silent = now - self.last_byte_at
        if self.idle_timeout is not None and silent >= self.idle_timeout:
            frame = bytes(self.buffer)
            self.buffer.clear()
            return [frame]
        if self.idle_timeout is None and silent >= self.stale_after:
            self.dropped.append(bytes(self.buffer))
            self.buffer.clear()
        return []

    def reset(self) -> None:
        """A reconnect: half a code from before it must not join the next one."""
        if self.buffer:
            self.dropped.append(bytes(self.buffer))
        self.buffer.clear()
