"""Logging filters: what the request log keeps."""

import logging


class RefusalsWithoutTraceback(logging.Filter):
    """A 403 is an ordinary answer (someone without the permission), not a fault: it is logged as one line,
    without the traceback Django attaches."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info, record.exc_text = None, None
        return True
